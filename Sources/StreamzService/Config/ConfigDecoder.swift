/// What every node of one load shares: the file for messages, the environment for
/// `${…}`, and the expression checker the runtime wires in.
final class ConfigDecoder {
    typealias ExpressionCheck = (ExpressionText, ExpressionKind) -> (column: Int, message: String)?

    let file: String
    let environment: [String: String]
    /// Escaping only for the duration of one `ConfigLoader.load`.
    let checkExpression: ExpressionCheck

    init(file: String, environment: [String: String], checkExpression: @escaping ExpressionCheck) {
        self.file = file
        self.environment = environment
        self.checkExpression = checkExpression
    }
}
