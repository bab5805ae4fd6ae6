#pragma once

// Writes one event as compact JSON text straight into a byte buffer: how Session::save streams a
// million events without building a QJsonObject for each (Session::toJson() builds the same
// objects; a test keeps the two identical).

#include "engine/core/event.h"

#include <QByteArray>
#include <QString>

namespace finscope {

class EventStore;

void appendJsonString(QByteArray *out, QStringView text);
void appendEventJson(QByteArray *out, const Event &event, const EventStore &store);

} // namespace finscope
