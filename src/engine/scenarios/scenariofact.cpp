#include "engine/scenarios/scenariofact.h"

namespace finscope {

FactResult ScenarioFact::evaluate(const ScenarioOutcome &outcome) const
{
    if (!check || !outcome.session)
        return {false, QStringLiteral("nothing to check: no recording")};
    return check(outcome);
}

} // namespace finscope
