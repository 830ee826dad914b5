/// A byte array refilled for each consumed record: copying a message's key or value
/// out of librdkafka allocates nothing while records do not outlive their emit.
///
/// The record gets a copy of the array, sharing its storage. When the record is gone
/// the storage is uniquely referenced again and the next fill writes over it. A record
/// kept longer (buffered, sent to another thread) keeps that storage, and the next fill
/// gets a new one by copy-on-write, so a kept record never sees its bytes change.
struct ReusedBytes {
    private var storage: [UInt8] = []
    /// Larger storage is let go rather than refilled: one 5 MB message must not pin
    /// 5 MB for the life of the source.
    static let keptCapacity = 64 << 10

    mutating func fill(from start: UnsafeRawPointer?, count: Int) -> [UInt8]? {
        guard let start else { return nil }
        if storage.capacity > Self.keptCapacity { storage = [] }
        // One call: in place when unique and large enough, else one new buffer of the
        // right size (emptying first would allocate a copy-on-write buffer, then grow it).
        storage.replaceSubrange(storage.indices, with: UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count))
        return storage
    }
}
