#pragma once

// Plain-language explanations of events, for the hint area under the mouse.

#include "engine/core/eventstore.h"

#include <QString>

namespace finscope {

QString explainEvent(const Event &event, const EventStore &store);

} // namespace finscope
