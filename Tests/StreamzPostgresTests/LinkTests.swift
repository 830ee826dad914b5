import CLibPQ
import Foundation
import Testing
@testable import StreamzPostgres

/// The system library links and reaches the real server `make test` starts.
@Suite struct LibpqLinkTests {
    @Test func reportsItsVersion() {
        #expect(PQLibrary.version >= 120000)
        #expect(PQLibrary.isThreadSafe)
    }

    @Test func queriesTheTestServer() throws {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            // Outside CI a developer may run `swift test` without a server; under CI the
            // server is part of the contract, so its absence is a failure.
            let underCI = ProcessInfo.processInfo.environment["CI"] == "true"
            #expect(!underCI, "DATABASE_URL is unset under CI=true: run tests through `make test`")
            return
        }
        let connection = try #require(PQconnectdb(url))
        defer { PQfinish(connection) }
        #expect(PQstatus(connection) == CONNECTION_OK, Comment(rawValue: String(cString: PQerrorMessage(connection))))
        let params: [String] = ["41"]
        var cParams = params.map { strdup($0).map { UnsafePointer<CChar>($0) } }
        defer { for p in cParams { free(UnsafeMutablePointer(mutating: p)) } }
        let result = try #require(PQexecParams(connection, "SELECT $1::int + 1", 1, nil, &cParams, nil, nil, 0))
        defer { PQclear(result) }
        #expect(PQresultStatus(result) == PGRES_TUPLES_OK)
        #expect(String(cString: PQgetvalue(result, 0, 0)) == "42")
    }
}
