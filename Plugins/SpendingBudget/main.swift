// secscore-plugin-spending-budget: serves SpendingBudgetChecker (Sources/SecScoreCheckers); its declaration is the manifest.
import SecScoreCheckerPlugin
import SecScoreCheckers

await CheckerPlugin.main(name: "spending-budget", version: "1.0.0", checkers: [SpendingBudgetChecker.self])
