import Foundation

/// The decoded postgres section, with why it is missing when it is: a postgres sink's
/// error should say which variable to set.
struct DatabaseAvailability {
    var section: PostgresSection?
    /// Set when `section` is nil.
    var missingReason: String

    static let yamlKeys = ["url"]

    init(from node: ConfigNode?) throws(ConfigError) {
        guard let node else {
            self.section = nil
            self.missingReason = "there is no postgres section with a url"
            return
        }
        let postgres = try node.mapping(allowedKeys: Self.yamlKeys)
        let urlNode = try postgres.required("url")
        let url = try urlNode.string().trimmingCharacters(in: .whitespaces)
        if url.isEmpty {
            self.section = nil
            let variables = EnvironmentInterpolation.referencedNames(in: urlNode.rawScalar ?? "")
            let unset = variables.isEmpty
                ? ""
                : " (\(variables.joined(separator: ", ")) \(variables.count == 1 ? "is" : "are") empty or unset)"
            self.missingReason = "postgres.url is empty\(unset)"
        } else {
            self.section = PostgresSection(url: url)
            self.missingReason = ""
        }
    }
}
