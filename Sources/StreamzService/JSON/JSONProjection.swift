/// The top-level members of a record that a pipeline reads: its expressions' field
/// paths all start with one of these keys. Parsing with a projection builds only those
/// members and validates the rest without building anything, so a record's unused
/// fields cost a scan instead of allocations, and the document is still checked as
/// strictly as a full parse (same errors, at the same offsets).
public struct JSONProjection: Sendable {
    /// The keys, as UTF-8 bytes, compared with the raw key bytes of the input.
    let keys: [[UInt8]]
    /// The same keys as strings: a kept member's key is this string, made once, rather
    /// than a new one per record (the bytes are the same).
    let names: [String]
    /// Per key, its first eight bytes (zero-padded) and its length: most keys are
    /// matched, or ruled out, by one comparison of each.
    private let heads: [UInt64]
    private let lengths: [Int]

    public init<Keys: Sequence<String>>(keys: Keys) {
        var unique: [[UInt8]] = []
        var names: [String] = []
        for key in keys where !unique.contains(Array(key.utf8)) {
            unique.append(Array(key.utf8))
            names.append(key)
        }
        self.keys = unique
        self.names = names
        heads = unique.map { $0.withUnsafeBytes(Self.head) }
        lengths = unique.map(\.count)
    }

    private static func head(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        if bytes.count >= 8 { return bytes.loadUnaligned(as: UInt64.self) }
        var head: UInt64 = 0
        for i in 0..<bytes.count { head |= UInt64(bytes[i]) << (8 * i) }
        return head
    }

    /// Keeps no member.
    static let none = JSONProjection(keys: [])

    /// The index of the key whose bytes are `bytes`, nil when it is not kept.
    func index(of bytes: UnsafeRawBufferPointer) -> Int? {
        index(of: bytes, head: Self.head(bytes))
    }

    /// The same for a key inside a document that goes on to `end`: a short key's head
    /// is then one load and a mask, not a loop over its bytes.
    @inline(__always)
    func index(of bytes: UnsafeRawBufferPointer, readableTo end: UnsafeRawPointer) -> Int? {
        guard bytes.count < 8, let start = bytes.baseAddress, end - start >= 8 else { return index(of: bytes) }
        let mask: UInt64 = (1 << (8 * UInt64(bytes.count))) &- 1
        return index(of: bytes, head: UInt64(littleEndian: start.loadUnaligned(as: UInt64.self)) & mask)
    }

    private func index(of bytes: UnsafeRawBufferPointer, head: UInt64) -> Int? {
        for i in heads.indices where heads[i] == head && lengths[i] == bytes.count {
            if bytes.count <= 8 || keys[i].withUnsafeBytes({ $0.elementsEqual(bytes) }) { return i }
        }
        return nil
    }

    /// The index of `key`, nil when it is not kept.
    func index(of key: String) -> Int? {
        var key = key
        return key.withUTF8 { index(of: UnsafeRawBufferPointer($0)) }
    }

    func contains(_ key: String) -> Bool { index(of: key) != nil }
}
