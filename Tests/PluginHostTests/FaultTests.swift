import PluginHost
import SecScoreTestSupport
import SecScoreWire
import Testing

/// Every way a plugin can fail: the host must return within its deadlines,
/// report the failure with a reason, and leave no process or descriptor.
@Suite("Faulty plugins are contained")
struct FaultTests {
    /// Launches a misbehaving mode expecting the handshake to fail.
    func expectLaunchFailure(_ mode: String, _ code: PluginError.Code, mentioning text: String) async throws {
        try await withLeakCheck {
            do {
                let connection = try await PluginConnection.launch(misbehaving(mode), configuration: fastConfiguration())
                await connection.shutdown()
                Issue.record("\(mode): the handshake should have failed")
            } catch let error as PluginError {
                #expect(error.code == code, "\(mode): \(error)")
                #expect(error.description.contains(text), "\(mode): \(error)")
            }
        }
    }

    /// Launches a mode, sends one request, expects it to fail.
    func expectCallFailure(
        _ mode: String, _ code: PluginError.Code, mentioning text: String,
        requestTimeout: Duration = .seconds(3)
    ) async throws -> PluginError? {
        try await withLeakCheck {
            let connection = try await PluginConnection.launch(misbehaving(mode), configuration: fastConfiguration())
            let clock = ContinuousClock()
            let start = clock.now
            var caught: PluginError?
            do {
                _ = try await connection.evaluate(request("test.fault"), timeout: requestTimeout)
                Issue.record("\(mode): the call should have failed")
            } catch let error as PluginError {
                caught = error
                #expect(error.code == code, "\(mode): \(error)")
                #expect(error.description.contains(text), "\(mode): \(error)")
            }
            // Never later than the deadline plus slack for a loaded machine.
            #expect(clock.now - start < requestTimeout + .seconds(2), "\(mode) took \(clock.now - start)")
            await connection.shutdown()
            if let pid = connection.processID {
                #expect(processesInGroup(pid).isEmpty, "\(mode): processes left in the plugin's group")
            }
            return caught
        }
    }

    @Test func crashBeforeHandshake() async throws {
        try await expectLaunchFailure("crash-before-handshake", .handshakeFailed, mentioning: "SIGABRT")
    }

    @Test func exitBeforeHandshakeShowsStderr() async throws {
        try await expectLaunchFailure("exit-before-handshake", .handshakeFailed, mentioning: "config file /etc/plugin.conf not found")
    }

    @Test func hangBeforeHandshake() async throws {
        try await expectLaunchFailure("hang-before-handshake", .handshakeFailed, mentioning: "no WELCOME within")
    }

    @Test func garbageOnStdoutBeforeHandshake() async throws {
        try await expectLaunchFailure("garbage-before-handshake", .protocolViolation, mentioning: "Starting plugin")
    }

    @Test func refusesVersion() async throws {
        try await expectLaunchFailure("refuse-version", .refused, mentioning: "supports protocol majors 2")
    }

    @Test func responseBeforeWelcome() async throws {
        try await expectLaunchFailure("response-before-welcome", .protocolViolation, mentioning: "before WELCOME")
        try await expectLaunchFailure("progress-before-welcome", .protocolViolation, mentioning: "PROGRESS before WELCOME")
    }

    @Test func invalidManifest() async throws {
        try await expectLaunchFailure("welcome-invalid-id", .handshakeFailed, mentioning: "requirement id")
        try await expectLaunchFailure("welcome-duplicate", .handshakeFailed, mentioning: "twice")
    }

    @Test func crashMidRequest() async throws {
        let error = try await expectCallFailure("crash-mid-request", .exited, mentioning: "SIGSEGV")
        #expect(error?.description.contains("about to crash on request 1") == true)
    }

    @Test func exitMidRequest() async throws {
        _ = try await expectCallFailure("exit-mid-request", .exited, mentioning: "exited with status 0")
    }

    @Test func anAnswerWrittenJustBeforeExitingCounts() async throws {
        try await withLeakCheck {
            for _ in 0..<20 {
                let connection = try await PluginConnection.launch(misbehaving("answer-then-exit"), configuration: fastConfiguration())
                let finding = try await connection.evaluate(request("test.fault"))
                #expect(finding.status == .compliant)
                await connection.shutdown()
            }
        }
    }

    @Test func hangMidRequestHitsDeadlineThenIsStopped() async throws {
        try await withLeakCheck {
            let connection = try await PluginConnection.launch(misbehaving("hang-mid-request"), configuration: fastConfiguration())
            await #expect(throws: PluginError.self) {
                _ = try await connection.evaluate(request("test.fault"), timeout: .milliseconds(300))
            }
            // It ignored the CANCEL, so after the grace it is stopped as hung.
            try await Task.sleep(for: .milliseconds(900))
            #expect(connection.failure?.description.contains("stopped it as hung") == true, "\(String(describing: connection.failure))")
            await connection.shutdown()
        }
    }

    @Test func badMagic() async throws {
        _ = try await expectCallFailure("bad-magic", .protocolViolation, mentioning: "HTTP/1.1 200")
    }

    @Test func oversizedLength() async throws {
        _ = try await expectCallFailure("oversized-length", .protocolViolation, mentioning: "4294967280 payload bytes")
    }

    @Test func truncatedFrame() async throws {
        _ = try await expectCallFailure("truncated-frame", .exited, mentioning: "incomplete frame")
    }

    @Test func invalidProtobuf() async throws {
        _ = try await expectCallFailure("invalid-protobuf", .protocolViolation, mentioning: "not a valid EvaluateResponse")
    }

    /// Never a pass on text the host cannot read: a finding (here
    /// COMPLIANT) with one string that is not UTF-8, however deep, is
    /// refused whole, naming the field.
    @Test func invalidUTF8InAFinding() async throws {
        _ = try await expectCallFailure(
            "invalid-utf8", .protocolViolation,
            mentioning: "finding.evidence.items[0].attributes[0].value is not valid UTF-8")
    }

    @Test func deeplyNestedMessage() async throws {
        _ = try await expectCallFailure("deep-nesting", .protocolViolation, mentioning: "not a valid EvaluateResponse")
    }

    @Test func wrongRequestID() async throws {
        _ = try await expectCallFailure("wrong-id", .protocolViolation, mentioning: "request 1001, which it was never sent")
    }

    @Test func undeclaredRequirementInFinding() async throws {
        _ = try await expectCallFailure("undeclared-requirement", .protocolViolation, mentioning: "mfaEnforcedForAdmins")
    }

    @Test func answerTwiceStopsThePlugin() async throws {
        try await withLeakCheck {
            let connection = try await PluginConnection.launch(misbehaving("answer-twice"), configuration: fastConfiguration())
            // The first answer arrives; the second one is a violation that
            // marks the whole session as untrustworthy.
            _ = try? await connection.evaluate(request("test.fault"))
            try await Task.sleep(for: .milliseconds(200))
            // With nothing in flight stdout is read on demand: settle, as
            // the evaluator does before it trusts an answer.
            connection.settle()
            #expect(connection.failure?.code == .protocolViolation)
            #expect(connection.failure?.description.contains("already answered") == true)
            await connection.shutdown()
        }
    }

    @Test func unknownFrameTypesAreSkipped() async throws {
        try await withLeakCheck {
            let connection = try await PluginConnection.launch(misbehaving("unknown-frame-type"), configuration: fastConfiguration())
            let finding = try await connection.evaluate(request("test.fault"))
            #expect(finding.status == .compliant)
            #expect(connection.failure == nil)
            await connection.shutdown()
        }
    }

    @Test func fragmentedResponseIsReassembled() async throws {
        try await withLeakCheck {
            let connection = try await PluginConnection.launch(misbehaving("fragmented-response"), configuration: fastConfiguration())
            let finding = try await connection.evaluate(request("test.fault"))
            #expect(finding.insights == ["split across frames"])
            await connection.shutdown()
        }
    }

    @Test func ignoresSIGTERMIsKilled() async throws {
        try await withLeakCheck {
            let connection = try await PluginConnection.launch(misbehaving("ignore-sigterm"), configuration: fastConfiguration())
            let status = await connection.shutdown()
            #expect(status == .signaled(9))
        }
    }

    @Test func lingeringGrandchildIsKilled() async throws {
        try await withLeakCheck {
            let connection = try await PluginConnection.launch(misbehaving("grandchild"), configuration: fastConfiguration())
            let pid = try #require(connection.processID)
            #expect(processesInGroup(pid).count == 2)
            await connection.shutdown()
            #expect(processesInGroup(pid).isEmpty)
        }
    }

    @Test func callErrorFromPluginIsReported() async throws {
        _ = try await expectCallFailure("sdk-fail", .pluginReported, mentioning: "tenant data is inconsistent: 3 users")
    }

    @Test func logFloodStopsThePlugin() async throws {
        try await withLeakCheck {
            var configuration = fastConfiguration()
            configuration.logBudgetBytes = 1 << 20
            let connection = try await PluginConnection.launch(misbehaving("sdk-log-flood"), configuration: configuration)
            await #expect(throws: PluginError.self) { _ = try await connection.evaluate(request("test.fault")) }
            #expect(connection.failure?.code == .resourceExhausted)
            await connection.shutdown()
        }
    }

    @Test func addressSpaceLimitStopsRunawayAllocation() async throws {
        try await withLeakCheck {
            var configuration = fastConfiguration()
            configuration.resourceLimits.addressSpaceBytes = 256 << 20
            let connection = try await PluginConnection.launch(misbehaving("sdk-allocate"), configuration: configuration)
            do {
                _ = try await connection.evaluate(request("test.fault"))
                Issue.record("allocation should have failed")
            } catch let error as PluginError {
                #expect(error.code == .pluginReported)
                #expect(error.description.contains("malloc failed"))
            }
            await connection.shutdown()
        }
    }

    @Test func cpuLimitKillsASpinningPlugin() async throws {
        try await withLeakCheck {
            var configuration = fastConfiguration()
            configuration.resourceLimits.cpuSeconds = 1
            let connection = try await PluginConnection.launch(misbehaving("sdk-spin"), configuration: configuration)
            do {
                _ = try await connection.evaluate(request("test.fault"), timeout: .seconds(10))
                Issue.record("spinning should have been stopped")
            } catch let error as PluginError {
                #expect(error.code == .exited, "\(error)")
                #expect(error.description.contains("SIGXCPU") || error.description.contains("SIGKILL"), "\(error)")
            }
            await connection.shutdown()
        }
    }

    @Test func missingExecutable() async throws {
        try await withLeakCheck {
            await #expect(throws: PluginError.self) {
                _ = try await PluginConnection.launch(PluginExecutable(path: "/nonexistent/secscore-plugin-x"))
            }
        }
    }
}
