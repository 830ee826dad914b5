import Foundation
import Yams

/// Loads a service configuration: reads, parses, fills in the environment, decodes and
/// checks, and reports the first problem with its file, line and field.
///
/// The YAML is walked node by node rather than decoded with Codable: that keeps every
/// node's position for messages and lets unknown keys be rejected instead of ignored.
public enum ConfigLoader {
    /// Reads, interpolates, decodes and checks. `environment` defaults to the process environment.
    ///
    /// `checkExpression` is called for every expression and aggregate text, in file order,
    /// and returns an error (its column relative to the expression text) or nil.
    public static func load(
        path: String, environment: [String: String]? = nil,
        checkExpression: (ExpressionText, ExpressionKind) -> (column: Int, message: String)? = { _, _ in nil }
    ) throws(ConfigError) -> ServiceConfig {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ConfigError(file: path, message: "cannot read the config file: it is a directory")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, message: "cannot read the config file: \(readFailure(error, path: path))")
        }
        return try load(text: text, file: path, environment: environment ?? ProcessInfo.processInfo.environment,
                        checkExpression: checkExpression)
    }

    /// As `load(path:…)`, for a config already in memory; `file` names it in messages.
    public static func load(
        text: String, file: String, environment: [String: String],
        checkExpression: (ExpressionText, ExpressionKind) -> (column: Int, message: String)? = { _, _ in nil }
    ) throws(ConfigError) -> ServiceConfig {
        let parsed: Yams.Node?
        do {
            parsed = try Yams.compose(yaml: text)
        } catch {
            throw YAMLSyntaxError.configError(from: error, file: file, text: text)
        }
        guard let root = parsed, !(root.scalar != nil && root.tag == Yams.Tag(.null)) else {
            throw ConfigError(file: file, message: "the config is empty (expected kafka and pipelines sections)")
        }
        let result = withoutActuallyEscaping(checkExpression) { check in
            let decoder = ConfigDecoder(file: file, environment: environment, checkExpression: check)
            return Result { () throws(ConfigError) in
                try ServiceConfig(from: ConfigNode(node: root, field: "", decoder: decoder), file: file)
            }
        }
        return try result.get()
    }

    private static func readFailure(_ error: any Error, path: String) -> String {
        let cocoa = error as NSError
        switch CocoaError.Code(rawValue: cocoa.code) {
        case .fileReadNoSuchFile: return "no such file"
        case .fileReadNoPermission: return "permission denied"
        case .fileReadInapplicableStringEncoding: return "not UTF-8 text"
        default: return cocoa.localizedDescription
        }
    }
}
