#pragma once

// Formats events as the one-line text the CLI prints while running and `show` prints afterwards.

#include "engine/core/event.h"
#include "engine/core/eventstore.h"
#include "engine/session/session.h"

#include <QString>

namespace finscope {

// e.g. "    0.000412  client 1  send      18 B @0  \"Hello, server\""
QString formatEvent(const Event &event, const EventStore &store);
// Only the details part: "18 B @0  \"Hello, server\"", "FIN_WAIT2", "ECONNRESET ...".
QString formatEventDetails(const Event &event, const EventStore &store);
// The same layout for a recorded action: "    0.000944  client 1  action   send Hello"
QString formatAction(const RecordedAction &action);

} // namespace finscope
