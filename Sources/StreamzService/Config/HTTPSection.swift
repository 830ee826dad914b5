/// The HTTP listener for /metrics (Prometheus), /healthz and /readyz.
public struct HTTPSection: Sendable, Equatable {
    /// 0 turns the listener off.
    public var port: Int

    public init(port: Int = 9464) {
        self.port = port
    }
}

extension HTTPSection {
    static let yamlKeys = ["port"]

    init(from node: ConfigNode) throws(ConfigError) {
        let section = try node.mapping(allowedKeys: Self.yamlKeys)
        var http = HTTPSection()
        if let portNode = section.value("port") {
            let port = try portNode.integer()
            guard (0...65_535).contains(port) else {
                throw portNode.error("port \(port) is out of range (expected 1 to 65535, or 0 to turn HTTP off)")
            }
            http.port = port
        }
        self = http
    }
}
