import ArgumentParser

/// `--advice`: which advice the report carries.
enum AdviceLevel: String, ExpressibleByArgument, CaseIterable {
    case `default`, all, none
}
