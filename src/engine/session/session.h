#pragma once

// A recorded session as the JSON file of DESIGN.md §4: {"format": "finscope-session", "version":
// 1}.

#include "engine/core/event.h"
#include "engine/core/eventstore.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace finscope {

// One connection end's settings and addresses as they were in the recording.
struct EndpointRecord
{
    Side side = Side::Client;
    quint32 conn = 0;
    QString localAddress; // "127.0.0.1:40312", empty when never connected
    QString peerAddress;  // "127.0.0.1:5555"
    QString target;       // what the user asked for: "localhost:5555", or the listen address
};

// An action as it was run: when, on which end, and its text (Action::toString()).
struct RecordedAction
{
    qint64 tNs = 0;
    Side side = Side::Client;
    quint32 conn = 0;
    QString text;
    // When the action returned (a send once the kernel took its bytes, a read once it had data),
    // so a replay can keep the gap from there to the next action; -1 when not recorded (files
    // written before it was, actions that never finished).
    qint64 endNs = -1;
};

struct Session
{
    static constexpr int FormatVersion = 1;

    QDateTime wallClockStart; // the wall-clock time at t_ns == 0, UTC
    QString tool;             // "finscope-cli 0.1.0"
    QList<EndpointRecord> endpoints;
    QList<RecordedAction> actions;
    EventStore events;

    // Whether the recording ran any action on that side: what a replay or an export can run again.
    bool hasActions(Side side) const;
    // Where recorded end (side, conn) went: a client's "host:port" as the user asked for it (its
    // peer's address when that was not recorded), a server's listen address; empty when unknown.
    QString recordedTarget(Side side, quint32 conn) const;
    // The same for one endpoint record, for callers that index the records themselves.
    static QString recordedTarget(const EndpointRecord &rec);

    enum EventsInJson { WithEvents, WithoutEvents };
    QJsonObject toJson(EventsInJson withEvents = WithEvents) const;
    // Checks every field's type and range; on failure returns nullopt and sets *error to a
    // sentence naming the field, e.g. "events[3].bytes: expected a non-negative integer".
    static std::optional<Session> fromJson(const QJsonObject &json, QString *error);

    // Atomic write (QSaveFile). Errors name the file.
    bool save(const QString &path, QString *error) const;
    // Refuses non-JSON, truncated, foreign-format or newer-version files, naming what is wrong.
    static std::optional<Session> load(const QString &path, QString *error);
    // The same checks on bytes already in memory; name is what messages call the file.
    static std::optional<Session>
    fromBytes(const QByteArray &data, const QString &name, QString *error);
};

} // namespace finscope
