/// Hides secrets in what the service logs or prints about its configuration.
public enum Redaction {
    static let mask = "***"

    /// Property keys whose values are credentials (or, for ssl.key*, private key material).
    static let secretKeyFragments = ["password", "secret", "sasl.oauthbearer.config", "ssl.key"]

    /// `postgres://user:secret@host:5432/db` → `postgres://user:***@host:5432/db`; also a
    /// `password=` query parameter, and libpq's `key=value` connection strings.
    public static func redact(url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else {
            return redactKeywordPasswords(url)
        }
        var result = String(url[..<schemeEnd.upperBound])
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        // The last '@' ends the user info: an unencoded '@' in a password comes before it.
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            if let colon = userInfo.firstIndex(of: ":"), userInfo.index(after: colon) < userInfo.endIndex {
                result += userInfo[...colon] + mask
            } else {
                result += userInfo
            }
            result += authority[at...]
        } else {
            result += authority
        }
        result += redactQueryPasswords(rest[authorityEnd...])
        return result
    }

    public static func redactProperties(_ properties: [String: String]) -> [String: String] {
        properties.reduce(into: [:]) { redacted, entry in
            let key = entry.key.lowercased()
            redacted[entry.key] = secretKeyFragments.contains { key.contains($0) } ? mask : entry.value
        }
    }

    /// `?sslmode=require&password=x` → `?sslmode=require&password=***`.
    private static func redactQueryPasswords(_ tail: Substring) -> String {
        guard let question = tail.firstIndex(of: "?") else { return String(tail) }
        let fragmentStart = tail[question...].firstIndex(of: "#") ?? tail.endIndex
        let query = tail[tail.index(after: question)..<fragmentStart]
        let items = query.split(separator: "&", omittingEmptySubsequences: false).map { item -> String in
            guard let equals = item.firstIndex(of: "="), item[..<equals].lowercased() == "password" else {
                return String(item)
            }
            return item[...equals] + mask
        }
        return tail[...question] + items.joined(separator: "&") + tail[fragmentStart...]
    }

    /// `host=db password=x user=app` → `host=db password=*** user=app`.
    private static func redactKeywordPasswords(_ conninfo: String) -> String {
        var result = ""
        var rest = Substring(conninfo)
        while let match = rest.firstRange(of: "password") {
            result += rest[..<match.upperBound]
            rest = rest[match.upperBound...]
            let afterSpaces = rest.drop { $0 == " " }
            guard afterSpaces.first == "=" else { continue }
            let valueStart = afterSpaces.dropFirst().drop { $0 == " " }
            result += rest[..<valueStart.startIndex]
            let valueEnd: Substring.Index
            if valueStart.first == "'" {
                // A quoted value runs to the next unescaped quote.
                var index = valueStart.index(after: valueStart.startIndex)
                while index < valueStart.endIndex, valueStart[index] != "'" {
                    if valueStart[index] == "\\" { index = valueStart.index(after: index) }
                    if index < valueStart.endIndex { index = valueStart.index(after: index) }
                }
                valueEnd = index < valueStart.endIndex ? valueStart.index(after: index) : index
            } else {
                valueEnd = valueStart.firstIndex(of: " ") ?? valueStart.endIndex
            }
            result += mask
            rest = valueStart[valueEnd...]
        }
        return result + rest
    }
}
