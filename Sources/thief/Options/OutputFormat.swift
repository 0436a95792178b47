import ArgumentParser

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, ndjson, csv, openmetrics
    /// A Perfetto trace of a recording (`thief report RUN --format perfetto -o FILE`); live: --trace FILE.
    case perfetto
    /// One self-contained HTML page (write it with -o FILE.html).
    case html
}
