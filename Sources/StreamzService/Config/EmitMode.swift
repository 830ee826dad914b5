/// When a window step emits.
public enum EmitMode: String, Sendable, Equatable, CaseIterable {
    /// Once per window, when it closes.
    case final
    /// On every change, then once more when it closes.
    case update
}
