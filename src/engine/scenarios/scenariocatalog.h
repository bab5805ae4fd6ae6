#pragma once

// The scenarios FinScope ships: guided demonstrations of TCP teardown whose facts were measured
// on Linux (DESIGN.md §3a). A plain list built on request, no singleton.

#include "engine/scenarios/scenario.h"

#include <optional>

namespace finscope {

class ScenarioCatalog
{
public:
    // Every scenario, in the order a presenter would show them.
    static QList<Scenario> all();
    static QStringList ids();
    static std::optional<Scenario> find(const QString &id);
};

} // namespace finscope
