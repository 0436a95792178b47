/// A metric path into the JSON report: a subject and an optional field.
public struct Metric: Hashable, Sendable, CustomStringConvertible {
    public var subject: Subject
    public var field: Field?

    public init(_ subject: Subject, _ field: Field? = nil) {
        self.subject = subject
        self.field = field
    }

    public var description: String { subject.description + (field.map { ".\($0.rawValue)" } ?? "") }

    /// The field read when none is given in a context without a value
    /// (`--max-regression 'off_core=10%'` reads off_core.total).
    public var resolvedField: Field { field ?? subject.defaultField }
}
