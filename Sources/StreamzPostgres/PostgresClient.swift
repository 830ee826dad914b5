import Foundation
import Logging

/// Retry delays: exponential, capped, with jitter so replicas do not retry in step.
/// The 2 s cap bounds how long a pipeline idles after the server is back; one attempt
/// every 1–2 s per pipeline is no load on a server that is down.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = maximum
    }

    public func delay(attempt: Int) -> Duration {
        let exponential = initial * (1 << min(attempt, 20))
        let capped = min(exponential, maximum)
        return capped * Double.random(in: 0.5...1.0)
    }
}

/// A PostgreSQL client over one connection, made (and remade, after it is lost) on
/// demand. Statements take bound parameters only.
public final class PostgresClient: @unchecked Sendable {
    // @unchecked: `connection` is behind `lock`.
    public let url: String
    public let backoff: Backoff
    private let lock = NSLock()
    private var connection: PQConnection?
    private let logger = Logger(label: "streamz.postgres")

    public init(url: String, backoff: Backoff = Backoff()) {
        self.url = url
        self.backoff = backoff
    }

    /// One statement, parameters bound as `$1, $2, …`.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresBindable] = []) async throws -> PostgresRows {
        let connection = try await connected()
        do {
            return try await connection.query(sql, parameters.map(\.postgresText))
        } catch let error as PostgresError {
            if error.isRetryable { drop(connection) }
            throw error
        }
    }

    /// Runs `body` in a transaction on one connection: COMMIT if it returns, ROLLBACK
    /// if it throws.
    @discardableResult
    public func transaction<T: Sendable>(_ body: (PostgresTransaction) async throws -> T) async throws -> T {
        let connection = try await connected()
        do {
            try await connection.execute("BEGIN")
            let result = try await body(PostgresTransaction(connection: connection))
            try await connection.execute("COMMIT")
            return result
        } catch {
            if let failure = error as? PostgresError, failure.isRetryable, !connection.isHealthy {
                drop(connection)
            } else {
                try? await connection.execute("ROLLBACK")
            }
            throw error
        }
    }

    /// Runs `body`, retrying retryable failures with backoff until `deadline`
    /// (forever when nil). Permanent failures are thrown at once.
    public func retrying<T: Sendable>(until deadline: ContinuousClock.Instant? = nil, _ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as PostgresError where error.isRetryable {
                let delay = backoff.delay(attempt: attempt)
                if let deadline, ContinuousClock.now + delay > deadline { throw error }
                logger.warning("retrying after \(error) in \(delay)")
                attempt += 1
                try await Task.sleep(for: delay)
            }
        }
    }

    /// One statement, blocking the calling thread, retrying retryable failures with
    /// backoff until `deadline`. For threads of our own (the Kafka loop, inside a
    /// rebalance): it needs no Swift concurrency, so a busy cooperative pool cannot
    /// stall it, and it must never run on that pool.
    @discardableResult
    public func blockingQuery(_ sql: String, _ parameters: [any PostgresBindable] = [],
                              until deadline: ContinuousClock.Instant? = nil) throws -> PostgresRows {
        var attempt = 0
        while true {
            do {
                let connection: PQConnection
                if let current = lock.withLock({ self.connection }) {
                    connection = current
                } else {
                    let fresh = try PQConnection.connectHere(url)
                    connection = lock.withLock {
                        if let raced = self.connection { return raced }
                        self.connection = fresh
                        return fresh
                    }
                    if connection !== fresh { fresh.close() }
                }
                do {
                    return try connection.queryBlocking(sql, parameters.map(\.postgresText))
                } catch let error as PostgresError where error.isRetryable {
                    drop(connection)
                    throw error
                }
            } catch let error as PostgresError where error.isRetryable {
                let delay = backoff.delay(attempt: attempt)
                if let deadline, ContinuousClock.now + delay > deadline { throw error }
                logger.warning("retrying after \(error) in \(delay)")
                attempt += 1
                Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            }
        }
    }

    public func close() {
        let current = lock.withLock { () -> PQConnection? in
            defer { connection = nil }
            return connection
        }
        current?.close()
    }

    private func connected() async throws -> PQConnection {
        if let current = lock.withLock({ connection }) { return current }
        let fresh = try await PQConnection.connect(url)
        let winner = lock.withLock { () -> PQConnection in
            if let raced = connection { return raced }
            connection = fresh
            return fresh
        }
        if winner !== fresh { fresh.close() }
        return winner
    }

    private func drop(_ stale: PQConnection) {
        lock.withLock { if connection === stale { connection = nil } }
        stale.close()
    }
}

/// Statements inside `PostgresClient.transaction`.
public struct PostgresTransaction: Sendable {
    let connection: PQConnection

    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresBindable] = []) async throws -> PostgresRows {
        try await connection.query(sql, parameters.map(\.postgresText))
    }

    /// Several statements without parameters (DDL, migrations).
    public func execute(_ sql: String) async throws {
        try await connection.execute(sql)
    }
}
