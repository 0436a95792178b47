import ThiefCore

/// One self-contained HTML page of a report: no scripts, no network
/// requests, no external fonts or styles; readable with JavaScript off and
/// printable. Charts are inline SVG. Every number the page shows that the
/// JSON report has carries it in a `data-ns` attribute, so a test can check
/// the page against the JSON of the same run.
public enum HTMLRenderer {
    public static func render(_ r: Report) -> String {
        var body = ""
        header(r, &body)
        timeBar(r, &body)
        histograms(r, &body)
        causes(r, &body)
        thieves(r, &body)
        interrupts(r, &body)
        wakers(r, &body)
        cpus(r, &body)
        worstWaits(r, &body)
        threads(r, &body)
        advice(r, &body)
        return page(title: "thief: \(r.target.comm) (\(r.target.pid))", body: body)
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title))</title>
        <style>\(style)</style></head>
        <body>
        \(body)</body></html>

        """
    }

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222;padding:0 1em}
        h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;margin:.5em 0}td,th{padding:.15em .7em;text-align:right}
        th{background:#f0f0f0}td.l,th.l{text-align:left}tr:nth-child(even) td{background:#fafafa}
        pre{background:#f4f4f4;padding:.5em;overflow-x:auto}.muted{color:#777}
        svg text{font:11px sans-serif}@media print{body{margin:0;max-width:none}}
        """

    /// Text and attribute values: the five characters HTML gives meaning to.
    static func esc(_ s: String) -> String {
        var o = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&#39;"
            default: o.unicodeScalars.append(u)
            }
        }
        return o
    }

    /// A duration the reader sees, with the exact ns for machines.
    static func ns(_ v: UInt64, _ key: String? = nil) -> String {
        let k = key.map { " data-key=\"\(esc($0))\"" } ?? ""
        return "<span data-ns=\"\(v)\"\(k)>\(Format.duration(v))</span>"
    }

    static func header(_ r: Report, _ out: inout String) {
        out += "<h1>thief: \(esc(TargetName.of(r)))</h1>\n"
        out += "<p>\(r.target.threads.count) threads, \(ns(r.window.durationNs, "window.duration_ns")) window from "
        out += "\(esc(r.window.startTime)), host \(esc(r.host)), kernel \(esc(r.kernel)); ended: "
        out += "\(esc(r.window.endReason)). Records: \(r.records); lost events: "
        out += "<span data-key=\"lost_events\">\(r.lostEvents)</span>.</p>\n"
    }

    /// A table from a header row and rows of cells (already escaped/formatted);
    /// the first `leftColumns` columns are left-aligned.
    static func table(_ head: [String], _ rows: [[String]], leftColumns: Int = 1) -> String {
        func cell(_ tag: String, _ i: Int, _ v: String) -> String {
            "<\(tag)\(i < leftColumns ? " class=\"l\"" : "")>\(v)</\(tag)>"
        }
        var t = "<table><tr>" + head.enumerated().map { cell("th", $0, esc($1)) }.joined() + "</tr>\n"
        for r in rows { t += "<tr>" + r.enumerated().map { cell("td", $0, $1) }.joined() + "</tr>\n" }
        return t + "</table>\n"
    }
}
