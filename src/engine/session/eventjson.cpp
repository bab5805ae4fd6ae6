#include "engine/session/eventjson.h"

#include "engine/core/eventstore.h"

namespace finscope {

namespace {

void appendField(QByteArray *out, const char *key, qint64 value)
{
    out->append(", \"").append(key).append("\": ").append(QByteArray::number(value));
}

void appendField(QByteArray *out, const char *key, const QString &value)
{
    out->append(", \"").append(key).append("\": ");
    appendJsonString(out, value);
}

} // namespace

namespace {

// Whether the text holds a surrogate without its partner, which UTF-8 cannot carry.
bool hasLoneSurrogate(QStringView text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i).isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            ++i;
        else if (text.at(i).isSurrogate())
            return true;
    }
    return false;
}

} // namespace

void appendJsonString(QByteArray *out, QStringView text)
{
    static const char hex[] = "0123456789abcdef";
    if (hasLoneSurrogate(text)) {
        // A string loaded from "\ud800" holds one; toUtf8 would write '?' and the file would no
        // longer read back as it was. Written as the escape it came from, as QJsonDocument does.
        QByteArray piece;
        qsizetype start = 0;
        out->append('"');
        for (qsizetype i = 0; i <= text.size(); ++i) {
            const bool pair = i + 1 < text.size() && text.at(i).isHighSurrogate()
                              && text.at(i + 1).isLowSurrogate();
            if (pair) {
                ++i;
                continue;
            }
            if (i < text.size() && !text.at(i).isSurrogate())
                continue;
            piece.clear();
            appendJsonString(&piece, text.sliced(start, i - start));
            out->append(piece.sliced(1, piece.size() - 2));
            if (i < text.size()) {
                const uint u = text.at(i).unicode();
                out->append("\\u").append(hex[u >> 12]).append(hex[(u >> 8) & 15]);
                out->append(hex[(u >> 4) & 15]).append(hex[u & 15]);
            }
            start = i + 1;
        }
        out->append('"');
        return;
    }
    out->append('"');
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        switch (c) {
        case '"':
            out->append("\\\"");
            break;
        case '\\':
            out->append("\\\\");
            break;
        case '\n':
            out->append("\\n");
            break;
        case '\r':
            out->append("\\r");
            break;
        case '\t':
            out->append("\\t");
            break;
        default:
            if (uchar(c) < 0x20) {
                out->append("\\u00").append(hex[uchar(c) >> 4]).append(hex[uchar(c) & 15]);
            } else {
                out->append(c);
            }
        }
    }
    out->append('"');
}

void appendEventJson(QByteArray *out, const Event &e, const EventStore &store)
{
    out->append("{\"t_ns\": ").append(QByteArray::number(e.tNs));
    appendField(out, "side", sideName(e.side));
    appendField(out, "conn", qint64(e.conn));
    appendField(out, "kind", kindName(e.kind));
    switch (e.kind) {
    case EventKind::Send:
    case EventKind::Recv:
        appendField(out, "bytes", e.bytes);
        appendField(out, "offset", e.offset);
        break;
    case EventKind::Shutdown:
        appendField(out, "how", howName(e.how));
        break;
    case EventKind::State:
        appendField(out, "state", stateName(e.state));
        break;
    case EventKind::Queue:
        appendField(out, "userq", e.bytes);
        appendField(out, "outq", qint64(e.outq));
        appendField(out, "inq", qint64(e.inq));
        break;
    case EventKind::Error:
    case EventKind::Rst:
        if (e.err != 0) {
            appendField(out, "errno", errnoName(e.err));
            appendField(out, "message", errnoMessage(e.err));
        }
        break;
    case EventKind::Close:
    case EventKind::Abort:
        appendField(out, "unread", e.bytes);
        break;
    default:
        break;
    }
    if (e.text != 0)
        appendField(out, "text", store.string(e.text));
    if (e.kind == EventKind::State && e.expiresMs >= 0)
        appendField(out, "expires_ms", qint64(e.expiresMs));
    if (e.kind == EventKind::Rst && e.origin != RstOrigin::None)
        appendField(out, "origin", originName(e.origin));
    if (e.via != Via::Call)
        appendField(out, "via", viaName(e.via));
    out->append('}');
}

} // namespace finscope
