// secscore-plugin-alert-response: serves AlertResponseChecker (Sources/SecScoreCheckers); its declaration is the manifest.
import SecScoreCheckerPlugin
import SecScoreCheckers

await CheckerPlugin.main(name: "alert-response", version: "1.0.0", checkers: [AlertResponseChecker.self])
