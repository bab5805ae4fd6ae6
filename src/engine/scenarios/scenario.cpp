#include "engine/scenarios/scenario.h"

#include "engine/scenarios/scenariofacts.h"

namespace finscope {

QList<Action> Scenario::actions(Side side) const
{
    QList<Action> out;
    for (const ScenarioStep &step : steps) {
        if (step.side == side)
            out.append(step.action);
    }
    return out;
}

QList<ScenarioFact> Scenario::allFacts() const
{
    QList<ScenarioFact> out;
    out.append(endsByTimeout ? facts::endsByTimeout(QStringLiteral(
                   "the run ends by its time bound: neither program finishes on its own"))
                             : facts::finishesOnItsOwn(QStringLiteral(
                                 "both programs finish on their own, before the time bound")));
    out.append(facts);
    return out;
}

QList<FactVerdict> Scenario::evaluate(const ScenarioOutcome &outcome) const
{
    QList<FactVerdict> out;
    for (const ScenarioFact &fact : allFacts()) {
        const FactResult result = fact.evaluate(outcome);
        out.append({fact.sentence, result.held, result.observed});
    }
    return out;
}

} // namespace finscope
