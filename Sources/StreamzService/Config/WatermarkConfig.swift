/// How far event time may run out of order, and when a quiet partition stops holding the
/// watermark back.
public struct WatermarkConfig: Sendable, Equatable {
    public var maxOutOfOrder: Duration = .zero
    public var idleTimeout: Duration = .seconds(30)

    public init(maxOutOfOrder: Duration = .zero, idleTimeout: Duration = .seconds(30)) {
        self.maxOutOfOrder = maxOutOfOrder
        self.idleTimeout = idleTimeout
    }
}

extension WatermarkConfig {
    static let yamlKeys = ["max_out_of_order", "idle_timeout"]

    init(from node: ConfigNode) throws(ConfigError) {
        let watermark = try node.mapping(allowedKeys: Self.yamlKeys)
        var config = WatermarkConfig()
        if let maxNode = watermark.value("max_out_of_order") {
            config.maxOutOfOrder = try maxNode.duration(allowZero: true)
        }
        if let idleNode = watermark.value("idle_timeout") {
            config.idleTimeout = try idleNode.duration(allowZero: false)
        }
        self = config
    }
}
