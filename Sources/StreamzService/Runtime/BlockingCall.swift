import Foundation

/// Runs a blocking call (joining a loop thread, say) on a thread of its own, so the
/// cooperative pool never waits on it.
enum BlockingCall {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "streamz-blocking"
            thread.start()
        }
    }
}
