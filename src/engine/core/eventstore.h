#pragma once

// The events of one session plus the payload bytes behind send/recv events, kept up to a cap.
// A plain class (no QObject): the recorder appends to it, the front ends and the session file read
// it.

#include "engine/core/event.h"

#include <QByteArray>
#include <QHash>
#include <QStringList>

#include <map>
#include <vector>

namespace finscope {

enum class Direction : quint8 { Sent, Received };

// The bytes one connection end sent or received, from stream offset 0 up to the point where the
// session's payload cap was reached; `total` keeps counting past it.
struct PayloadStream
{
    Side side = Side::Client;
    quint32 conn = 0;
    Direction direction = Direction::Sent;
    QByteArray data;
    qint64 total = 0;
};

class EventStore
{
public:
    static constexpr qint64 DefaultPayloadCap = 16 * 1024 * 1024;

    explicit EventStore(qint64 payloadCap = DefaultPayloadCap);

    // Appends an event; for send/recv pass the bytes so they are kept while under the cap.
    void append(const Event &event, QByteArrayView payload = {});
    // Sets event.text to the id of `text` in the string table (deduplicated) and appends it.
    void appendWithText(Event event, const QString &text);

    qsizetype size() const { return qsizetype(m_events.size()); }
    bool isEmpty() const { return m_events.empty(); }
    const Event &at(qsizetype i) const { return m_events[size_t(i)]; }
    const std::vector<Event> &events() const { return m_events; }
    void reserve(qsizetype n) { m_events.reserve(size_t(n)); }
    void clear();

    quint32 internString(const QString &text);
    QString string(quint32 id) const;
    const QStringList &strings() const { return m_strings; }

    qint64 payloadCap() const { return m_payloadCap; }
    void setPayloadCap(qint64 cap) { m_payloadCap = cap; }
    qint64 payloadKept() const { return m_payloadKept; }
    bool payloadCut() const { return m_payloadCut; }
    // Streams in a stable order (side, conn, direction).
    std::vector<PayloadStream> payloadStreams() const;
    const PayloadStream *payloadStream(Side side, quint32 conn, Direction direction) const;
    // Used by the session loader: installs a stream as it was saved.
    void setPayloadStream(const PayloadStream &stream);
    void setPayloadCut(bool cut) { m_payloadCut = cut; }

    // Bytes this store holds in memory (events, strings, payload), for the benchmark and the UI.
    qint64 memoryUsage() const;

private:
    using StreamKey = std::tuple<quint8, quint32, quint8>;
    static StreamKey key(Side side, quint32 conn, Direction direction);

    std::vector<Event> m_events;
    QStringList m_strings;
    QHash<QString, quint32> m_stringIds;
    std::map<StreamKey, PayloadStream> m_streams;
    qint64 m_payloadCap;
    qint64 m_payloadKept = 0;
    bool m_payloadCut = false;
};

} // namespace finscope
