#include "engine/core/eventstore.h"

namespace finscope {

EventStore::EventStore(qint64 payloadCap)
    : m_payloadCap(payloadCap)
{
    m_strings.append(QString()); // id 0 is "no text"
}

EventStore::StreamKey EventStore::key(Side side, quint32 conn, Direction direction)
{
    return {quint8(side), conn, quint8(direction)};
}

void EventStore::append(const Event &event, QByteArrayView payload)
{
    m_events.push_back(event);
    if (event.kind != EventKind::Send && event.kind != EventKind::Recv)
        return;
    const Direction direction
        = event.kind == EventKind::Send ? Direction::Sent : Direction::Received;
    PayloadStream &stream = m_streams[key(event.side, event.conn, direction)];
    stream.side = event.side;
    stream.conn = event.conn;
    stream.direction = direction;
    stream.total = std::max(stream.total, event.offset + event.bytes);
    // Only a contiguous prefix of each stream is kept, so data[i] is always stream byte i.
    if (payload.isEmpty() || m_payloadCut || event.offset != stream.data.size())
        return;
    const qint64 room = m_payloadCap - m_payloadKept;
    const qint64 take = std::min<qint64>(room, payload.size());
    if (take > 0) {
        stream.data.append(payload.first(take));
        m_payloadKept += take;
    }
    if (take < payload.size())
        m_payloadCut = true;
}

void EventStore::appendWithText(Event event, const QString &text)
{
    event.text = internString(text);
    append(event);
}

void EventStore::clear()
{
    m_events.clear();
    m_strings = QStringList{QString()};
    m_stringIds.clear();
    m_streams.clear();
    m_payloadKept = 0;
    m_payloadCut = false;
}

quint32 EventStore::internString(const QString &text)
{
    if (text.isEmpty())
        return 0;
    const auto it = m_stringIds.constFind(text);
    if (it != m_stringIds.constEnd())
        return *it;
    const quint32 id = quint32(m_strings.size());
    m_strings.append(text);
    m_stringIds.insert(text, id);
    return id;
}

QString EventStore::string(quint32 id) const
{
    return id < quint32(m_strings.size()) ? m_strings.at(id) : QString();
}

std::vector<PayloadStream> EventStore::payloadStreams() const
{
    std::vector<PayloadStream> out;
    out.reserve(m_streams.size());
    for (const auto &[k, stream] : m_streams)
        out.push_back(stream);
    return out;
}

const PayloadStream *EventStore::payloadStream(Side side, quint32 conn, Direction direction) const
{
    const auto it = m_streams.find(key(side, conn, direction));
    return it == m_streams.end() ? nullptr : &it->second;
}

void EventStore::setPayloadStream(const PayloadStream &stream)
{
    PayloadStream &slot = m_streams[key(stream.side, stream.conn, stream.direction)];
    m_payloadKept -= slot.data.size();
    slot = stream;
    m_payloadKept += stream.data.size();
}

qint64 EventStore::memoryUsage() const
{
    qint64 bytes = qint64(m_events.capacity() * sizeof(Event));
    for (const QString &s : m_strings)
        bytes += s.capacity() * qint64(sizeof(QChar)) + qint64(sizeof(QString));
    bytes += m_stringIds.capacity() * qint64(sizeof(QString) + sizeof(quint32) + 16);
    for (const auto &[k, stream] : m_streams)
        bytes += stream.data.capacity() + qint64(sizeof(PayloadStream));
    return bytes;
}

} // namespace finscope
