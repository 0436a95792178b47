import ArgumentParser

enum AttachMode: String, ExpressibleByArgument, CaseIterable {
    case auto
    case tpBTF = "tp_btf"
    case rawTP = "raw_tp"
}
