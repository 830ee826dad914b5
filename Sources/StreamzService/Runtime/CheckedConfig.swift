/// Loading a config the way every command does: YAML, interpolation, the schema,
/// then every expression compiled and every pipeline planned. The first problem is
/// a `ConfigError` naming the file, line and field (exit code 2).
public enum CheckedConfig {
    public static func load(path: String, environment: [String: String]? = nil) throws(ConfigError) -> (ServiceConfig, [PipelinePlan]) {
        let config = try ConfigLoader.load(path: path, environment: environment, checkExpression: check)
        return (config, try config.plans())
    }

    public static func load(text: String, file: String, environment: [String: String]) throws(ConfigError) -> (ServiceConfig, [PipelinePlan]) {
        let config = try ConfigLoader.load(text: text, file: file, environment: environment, checkExpression: check)
        return (config, try config.plans())
    }

    static func check(_ text: ExpressionText, _ kind: ExpressionKind) -> (column: Int, message: String)? {
        do {
            if kind == .aggregate {
                _ = try AggregateCall.parse(text.text)
            } else {
                _ = try Expression.parse(text.text)
            }
            return nil
        } catch {
            return (error.column, error.message)
        }
    }
}
