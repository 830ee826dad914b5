import Foundation

/// A value behind a lock. Unlike `Mutex`, it holds non-Sendable values (callbacks):
/// the lock is what makes sharing them sound. Package-wide: the Kafka module and the
/// tests use this one too.
@usableFromInline
package final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    @usableFromInline package init(_ value: Value) { self.value = value }

    @usableFromInline package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
