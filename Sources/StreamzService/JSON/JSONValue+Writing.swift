extension JSONValue: CustomStringConvertible {
    /// Compact JSON into `buffer`, which callers reuse across records to avoid allocating.
    public func write(into buffer: inout [UInt8]) {
        JSONWriter.write(self, into: &buffer)
    }

    /// Compact JSON: no spaces, members in insertion order.
    public var jsonText: String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        write(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    public var description: String { jsonText }
}
