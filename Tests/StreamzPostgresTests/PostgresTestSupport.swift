import Foundation
import Testing
@testable import StreamzPostgres

/// The server `make test` started. Under CI its absence fails the test; elsewhere the
/// test is passed over with a note (run `make test`).
func serverURLForTests() -> String? {
    if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty { return url }
    if ProcessInfo.processInfo.environment["CI"] == "true" {
        Issue.record("DATABASE_URL is unset under CI=true: run the tests through `make test`")
    } else {
        print("note: DATABASE_URL unset; PostgreSQL tests need `make test`")
    }
    return nil
}

/// A new, empty database on the test server, dropped by `dropDatabase`.
func freshDatabase(_ base: String) async throws -> (url: String, name: String) {
    let name = "streamz_t_\(UUID().uuidString.prefix(8).lowercased())"
    let admin = PostgresClient(url: base)
    defer { admin.close() }
    try await admin.query("CREATE DATABASE \(try SQLIdentifier.quote(name))")
    guard let range = base.range(of: #"/[^/?]+(\?|$)"#, options: .regularExpression) else {
        throw PostgresError(kind: .permanent, sqlState: nil, message: "cannot find the database name in \(base)")
    }
    let suffix = base[range].hasSuffix("?") ? "?" : ""
    return (base.replacingCharacters(in: range, with: "/\(name)\(suffix)"), name)
}

func dropDatabase(_ base: String, _ name: String) async {
    let admin = PostgresClient(url: base)
    defer { admin.close() }
    _ = try? await admin.query("DROP DATABASE IF EXISTS \(try SQLIdentifier.quote(name)) WITH (FORCE)")
}
