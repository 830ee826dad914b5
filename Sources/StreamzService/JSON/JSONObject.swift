/// A JSON object: members in insertion order, so records are written back the way they
/// arrived.
///
/// Lookups scan linearly: records have a handful of members, where a scan over
/// contiguous members beats hashing and costs no extra allocation. Keys are unique
/// (`set` replaces) and compared by UTF-8 bytes. Equality ignores member order, as JSON
/// does.
public struct JSONObject: Sendable, Hashable {
    /// Stored as a struct, not a tuple: arrays of tuples copy and destroy their elements
    /// through generic runtime calls, which showed up as a third of parsing time.
    @usableFromInline struct Member: Sendable {
        var key: String
        var value: JSONValue
    }

    @usableFromInline var members: [Member]

    public init() { members = [] }

    /// Room for `capacity` members, so building one costs a single allocation.
    public init(minimumCapacity capacity: Int) {
        members = []
        members.reserveCapacity(capacity)
    }

    /// Later duplicates of a key replace earlier ones, keeping the first one's position.
    public init(_ pairs: [(String, JSONValue)]) {
        members = []
        members.reserveCapacity(pairs.count)
        var index: [UTF8Key: Int]? = pairs.count > Self.indexThreshold ? [:] : nil
        for (key, value) in pairs {
            Self.insert(key, value, into: &members, index: &index)
        }
    }

    /// Members known to have unique keys (the parser's).
    init(uniqueMembers: [Member]) { members = uniqueMembers }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    public var keys: LazyMapCollection<JSONObject, String> { lazy.map { $0.key } }
    public var values: LazyMapCollection<JSONObject, JSONValue> { lazy.map { $0.value } }

    /// The value of `key`; assigning nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = index(forKey: key) else { return nil }
            return members[i].value
        }
        set {
            if let newValue { set(key, newValue) } else { removeValue(forKey: key) }
        }
    }

    /// The position of `key` among the members.
    public func index(forKey key: String) -> Int? {
        // Through the buffer, so the scan borrows members instead of copying (and
        // retaining) each one.
        members.withUnsafeBufferPointer { buffer in
            for i in buffer.indices where UTF8Bytes.equal(buffer[i].key, key) { return i }
            return nil
        }
    }

    /// Replaces the value of `key` in place, or appends the member.
    public mutating func set(_ key: String, _ value: JSONValue) {
        if let i = index(forKey: key) {
            members[i].value = value
        } else {
            members.append(Member(key: key, value: value))
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = index(forKey: key) else { return nil }
        return members.remove(at: i).value
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        // Same order is the common case and needs no lookups.
        var i = 0
        while i < lhs.members.count,
              UTF8Bytes.equal(lhs.members[i].key, rhs.members[i].key),
              lhs.members[i].value == rhs.members[i].value {
            i += 1
        }
        if i == lhs.members.count { return true }
        for member in lhs.members[i...] {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Summing per-member hashes makes the result independent of member order, as
        // equality is.
        var sum = 0
        for member in members {
            var memberHasher = Hasher()
            memberHasher.combine(member.key)
            memberHasher.combine(member.value)
            sum &+= memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(sum)
    }

    /// Objects this large get a hash index while they are built, so a hostile record with
    /// many keys costs linear time, not quadratic.
    static let indexThreshold = 16

    /// Appends or replaces `key`, scanning while `members` is small and through `index`
    /// (built here once it is not) after that.
    static func insert(_ key: String, _ value: JSONValue, into members: inout [Member], index: inout [UTF8Key: Int]?) {
        if index != nil {
            if let i = index?[UTF8Key(string: key)] {
                members[i].value = value
            } else {
                index?[UTF8Key(string: key)] = members.count
                members.append(Member(key: key, value: value))
            }
            return
        }
        var i = 0
        while i < members.count {
            if UTF8Bytes.equal(members[i].key, key) {
                members[i].value = value
                return
            }
            i += 1
        }
        members.append(Member(key: key, value: value))
        if members.count > indexThreshold {
            var built: [UTF8Key: Int] = [:]
            built.reserveCapacity(2 * members.count)
            for j in members.indices { built[UTF8Key(string: members[j].key)] = j }
            index = built
        }
    }
}

extension JSONObject: RandomAccessCollection {
    public typealias Element = (key: String, value: JSONValue)
    public var startIndex: Int { 0 }
    public var endIndex: Int { members.count }
    public subscript(position: Int) -> Element { (members[position].key, members[position].value) }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}
