/// A window key stored as the text key columns of a window table.
public protocol WindowTableKey: Hashable {
    /// One value per key column, in the table's order.
    var columnValues: [String] { get }
    init(columnValues: [String]) throws
    /// Why PostgreSQL text could not store the key (a NUL byte, or more than
    /// `maxBytes` UTF-8 bytes over all columns), or nil. Checked on every record.
    func storageProblem(maxBytes: Int) -> String?
}

extension WindowTableKey {
    public func storageProblem(maxBytes: Int) -> String? {
        var bytes = 0
        for column in columnValues {
            if let problem = column.storageProblem(maxBytes: maxBytes - bytes) { return problem }
            bytes += column.utf8.count
        }
        return nil
    }
}

public struct WindowTableKeyError: Error, CustomStringConvertible {
    public let expected: Int
    public let got: Int
    public var description: String { "a window key has \(got) columns where the table has \(expected)" }
}

/// One key column: the common case, and no array per record.
extension String: WindowTableKey {
    public var columnValues: [String] { [self] }

    /// No array, and one pass over contiguous UTF-8 (what almost every String is).
    public func storageProblem(maxBytes: Int) -> String? {
        let check = { (bytes: UnsafeBufferPointer<UInt8>) -> String? in
            if bytes.contains(0) { return "the key contains a NUL byte" }
            return bytes.count > maxBytes ? "the key is longer than the \(maxBytes) bytes an index entry can hold" : nil
        }
        if let problem = utf8.withContiguousStorageIfAvailable(check) { return problem }
        return check(Array(utf8).withUnsafeBufferPointer { $0 })
    }
    public init(columnValues: [String]) throws {
        guard columnValues.count == 1 else { throw WindowTableKeyError(expected: 1, got: columnValues.count) }
        self = columnValues[0]
    }
}

/// Several key columns.
extension Array: WindowTableKey where Element == String {
    public var columnValues: [String] { self }
    public init(columnValues: [String]) { self = columnValues }
}
