// secscore-plugin-admin-mfa: serves AdminMFAChecker (Sources/SecScoreCheckers); its declaration is the manifest.
import SecScoreCheckerPlugin
import SecScoreCheckers

await CheckerPlugin.main(name: "admin-mfa", version: "1.0.0", checkers: [AdminMFAChecker.self])
