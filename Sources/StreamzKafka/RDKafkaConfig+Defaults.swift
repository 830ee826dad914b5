extension RDKafkaConfig {
    /// Defaults every Streamz client gets unless the user's properties say otherwise.
    ///
    /// `reconnect.backoff.max.ms`: librdkafka's 10 s default lets a client wait up to
    /// 10 s after a broker is back before it tries again, so a short outage costs a
    /// long stall; 1 s bounds the resume time and is still gentle on a broker that is
    /// down (one attempt per second per client).
    static func withClientDefaults(_ properties: [String: String]) -> [String: String] {
        var properties = properties
        if properties["reconnect.backoff.max.ms"] == nil { properties["reconnect.backoff.max.ms"] = "1000" }
        return properties
    }
}
