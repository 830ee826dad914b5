import Foundation

/// A value behind a lock. Unlike `Mutex`, it holds non-Sendable values (callbacks):
/// the lock is what makes sharing them sound.
@usableFromInline
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    @usableFromInline init(_ value: Value) { self.value = value }

    @usableFromInline func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
