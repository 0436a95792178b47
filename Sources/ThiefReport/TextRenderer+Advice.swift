import ThiefCore

extension TextRenderer {
    /// The "What to change" section alone (`thief gate --advice`).
    public static func renderAdvice(_ r: Report) -> String {
        var out = ""
        advice(r, &out)
        return out
    }

    /// "What to change": each advice with its evidence, the commands to
    /// paste (thief never runs them) and the gate rule that checks the change.
    static func advice(_ r: Report, _ out: inout String) {
        guard let list = r.advice, !list.isEmpty else { return }
        out.line("What to change (most time first; thief runs none of these):")
        for (i, a) in list.enumerated() {
            out.line(" \(i + 1). [\(a.rule)] \(a.finding)")
            for c in a.commands { out.line("      $ \(c)") }
            // Not a command: no prompt, and where they go.
            if let boot = a.bootParameters {
                out.line("      kernel command line: \(boot)")
                out.line("        (\(Advice.bootParametersWhere))")
            }
            out.line("      caveats: \(a.caveats)")
            out.line("      verify:  thief gate … --fail-if '\(a.verify)'")
        }
        out.line()
    }
}
