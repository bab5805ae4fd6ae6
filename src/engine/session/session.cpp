#include "engine/session/session.h"

#include "engine/core/outputfile.h"

#include "engine/core/action.h"
#include "engine/core/hostport.h"
#include "engine/session/eventjson.h"
#include "engine/session/jsonscanner.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <QFileInfo>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>

namespace finscope {

namespace {

constexpr qint64 MaxExactInteger = qint64(1) << 53; // JSON numbers are doubles
constexpr qint64 MaxFileSize = qint64(2) * 1024 * 1024 * 1024;
const QLatin1StringView FormatName("finscope-session");

QString directionName(Direction d)
{
    return d == Direction::Sent ? QStringLiteral("sent") : QStringLiteral("received");
}

// What a bad value actually was, short enough for a one-line message.
QString describe(const QJsonValue &value)
{
    if (value.isUndefined())
        return QStringLiteral("but the field is missing");
    QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    json = json.mid(1, json.size() - 2); // strip the array brackets
    if (json.size() > 40)
        json = json.left(37) + "...";
    return QStringLiteral("found ") + QString::fromUtf8(json);
}

// "an event kind (listen, connect, ...)": the refusal names every word the reader takes.
QString kindChoices()
{
    QStringList names;
    for (int k = int(EventKind::Listen); k <= int(EventKind::Queue); ++k)
        names << kindName(EventKind(k));
    return QStringLiteral("an event kind (%1)").arg(names.join(QStringLiteral(", ")));
}

QString stateChoices()
{
    QStringList names;
    for (int k = int(TcpState::Established); k <= int(TcpState::Closing); ++k)
        names << stateName(TcpState(k));
    return QStringLiteral("a TCP state name (%1)").arg(names.join(QStringLiteral(", ")));
}

QString integerRange(qint64 min, qint64 max)
{
    if (min == 0 && max == MaxExactInteger)
        return QStringLiteral("a non-negative integer up to 2^53");
    return QStringLiteral("an integer from %1 to %2").arg(min).arg(max);
}

// Where an object sits in the file: "events[3]", or the top level. Turned into text only when a
// field is refused, so that reading a million valid events formats no paths at all.
struct ElementPath
{
    const char *array = nullptr;
    qsizetype index = -1;

    QString toString() const
    {
        return array ? QStringLiteral("%1[%2]").arg(QLatin1StringView(array)).arg(index)
                     : QString();
    }
};

// Reads the fields of one JSON object, naming the path of the first bad field in *error.
class FieldReader
{
public:
    FieldReader(const QJsonObject &object, ElementPath path, QString *error)
        : m_object(object)
        , m_path(path)
        , m_error(error)
    {}

    bool has(const char *key) const { return m_object.contains(QLatin1StringView(key)); }

    // Integers arrive as doubles; the range is checked before any conversion, since casting an
    // out-of-range double to qint64 is undefined behaviour.
    bool integer(const char *key, qint64 min, qint64 max, qint64 *out, bool required = true)
    {
        const QJsonValue v = value(key);
        if (v.isUndefined() && !required)
            return true;
        const double d = v.toDouble();
        const bool inRange = v.isDouble() && d >= double(min) && d <= double(max);
        if (!inRange || std::trunc(d) != d)
            return expected(key, integerRange(min, max));
        // Qt keeps a JSON integer beyond double precision exactly; 2^53 + 1 must not pass as 2^53.
        const qint64 exact = v.toInteger(qint64(d));
        if (exact < min || exact > max)
            return expected(key, integerRange(min, max));
        *out = exact;
        return true;
    }

    template<typename T>
    bool integerAs(const char *key, qint64 min, qint64 max, T *out, bool required = true)
    {
        qint64 value = qint64(*out);
        if (!integer(key, min, max, &value, required))
            return false;
        *out = T(value);
        return true;
    }

    bool string(const char *key, QString *out, bool required = true)
    {
        const QJsonValue v = value(key);
        if (v.isUndefined() && !required)
            return true;
        if (!v.isString())
            return expected(key, QStringLiteral("a string"));
        *out = v.toString();
        return true;
    }

    bool boolean(const char *key, bool *out, bool required = true)
    {
        const QJsonValue v = value(key);
        if (v.isUndefined() && !required)
            return true;
        if (!v.isBool())
            return expected(key, QStringLiteral("true or false"));
        *out = v.toBool();
        return true;
    }

    // A string that must be one of a set of names, converted by from(); expected() describes the
    // set, and is only called for the message when the name is refused.
    template<typename T, typename From, typename Expected>
    bool name(const char *key, From from, T *out, Expected expected, bool required = true)
    {
        QString text;
        if (!has(key) && !required)
            return true;
        if (!string(key, &text))
            return false;
        const auto value = from(text);
        if (!value)
            return fail(key, QStringLiteral("'%1' is not %2").arg(text, expected()));
        *out = *value;
        return true;
    }

    bool array(const char *key, QJsonArray *out, bool required = true)
    {
        const QJsonValue v = value(key);
        if (v.isUndefined() && !required)
            return true;
        if (!v.isArray())
            return expected(key, QStringLiteral("an array"));
        *out = v.toArray();
        return true;
    }

    bool expected(const char *key, const QString &what)
    {
        return fail(key, QStringLiteral("expected %1, %2").arg(what, describe(value(key))));
    }

    bool fail(const char *key, const QString &what)
    {
        const QString path = m_path.toString();
        *m_error = QStringLiteral("%1%2: %3")
                       .arg(path.isEmpty() ? QString() : path + u'.', QLatin1StringView(key), what);
        return false;
    }

private:
    QJsonValue value(const char *key) const { return m_object.value(QLatin1StringView(key)); }

    const QJsonObject &m_object;
    ElementPath m_path;
    QString *m_error;
};

// "session 'x' is not valid JSON: ... at byte N", saying when the error is at the very end.
QString notJson(const QString &path, const QString &what, qsizetype offset, qsizetype end)
{
    return QStringLiteral("session '%1' is not valid JSON: %2 at byte %3%4")
        .arg(path, what)
        .arg(offset)
        .arg(offset >= end ? QStringLiteral(" (the file ends early: truncated?)") : QString());
}

// The elements of one of a session's arrays, each an object: from a QJsonArray, or parsed one at
// a time from the file's bytes where JsonScanner found them, so that a large file is never held
// as one document.
class ObjectList
{
public:
    // Where the elements lie in a file; notJson is set when one is not valid JSON, and the error
    // is then the whole sentence, naming the file and the byte.
    struct Bytes
    {
        const QByteArray *data = nullptr;
        const QString *path = nullptr;
        qsizetype end = 0;
        bool *notJson = nullptr;
    };

    ObjectList() = default;
    explicit ObjectList(QJsonArray array)
        : m_array(std::move(array))
    {}
    ObjectList(const Bytes &bytes, const std::vector<JsonScanner::Range> *ranges)
        : m_bytes(bytes)
        , m_ranges(ranges)
    {}

    qsizetype size() const { return m_ranges ? qsizetype(m_ranges->size()) : m_array.size(); }

    // Every element must be an object; calls read(object, path) for each.
    template<typename Read>
    bool forEach(const char *name, QString *error, Read read) const
    {
        for (qsizetype i = 0; i < size(); ++i) {
            const ElementPath path{name, i};
            QJsonObject object;
            if (!element(i, path, &object, error) || !read(object, path))
                return false;
        }
        return true;
    }

private:
    bool element(qsizetype i, const ElementPath &path, QJsonObject *out, QString *error) const
    {
        if (!m_ranges) {
            const QJsonValue value = m_array.at(i);
            if (!value.isObject()) {
                *error = QStringLiteral("%1: expected an object").arg(path.toString());
                return false;
            }
            *out = value.toObject();
            return true;
        }
        const JsonScanner::Range &r = (*m_ranges)[size_t(i)];
        if (m_bytes.data->at(r.begin) != '{') {
            *error = QStringLiteral("%1: expected an object").arg(path.toString());
            return false;
        }
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(
            QByteArray::fromRawData(m_bytes.data->constData() + r.begin, r.end - r.begin),
            &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            // The scanner checked the syntax; what is left is QJsonDocument's (invalid UTF-8).
            *error = notJson(
                *m_bytes.path, parseError.errorString(), r.begin + parseError.offset, m_bytes.end);
            *m_bytes.notJson = true;
            return false;
        }
        *out = doc.object();
        return true;
    }

    QJsonArray m_array;
    Bytes m_bytes;
    const std::vector<JsonScanner::Range> *m_ranges = nullptr;
};

QString clientOrServer()
{
    return QStringLiteral("client or server");
}

QJsonObject eventToJson(const Event &e, const EventStore &store)
{
    QJsonObject o{{QStringLiteral("t_ns"), double(e.tNs)},
                  {QStringLiteral("side"), sideName(e.side)},
                  {QStringLiteral("conn"), double(e.conn)},
                  {QStringLiteral("kind"), kindName(e.kind)}};
    switch (e.kind) {
    case EventKind::Send:
    case EventKind::Recv:
        o.insert(QStringLiteral("bytes"), double(e.bytes));
        o.insert(QStringLiteral("offset"), double(e.offset));
        break;
    case EventKind::Shutdown:
        o.insert(QStringLiteral("how"), howName(e.how));
        break;
    case EventKind::State:
        o.insert(QStringLiteral("state"), stateName(e.state));
        break;
    case EventKind::Queue:
        o.insert(QStringLiteral("userq"), double(e.bytes));
        o.insert(QStringLiteral("outq"), e.outq);
        o.insert(QStringLiteral("inq"), e.inq);
        break;
    case EventKind::Error:
    case EventKind::Rst:
        if (e.err != 0) {
            o.insert(QStringLiteral("errno"), errnoName(e.err));
            o.insert(QStringLiteral("message"), errnoMessage(e.err));
        }
        break;
    case EventKind::Close:
    case EventKind::Abort:
        o.insert(QStringLiteral("unread"), double(e.bytes));
        break;
    default:
        break;
    }
    if (e.text != 0)
        o.insert(QStringLiteral("text"), store.string(e.text));
    if (e.kind == EventKind::State && e.expiresMs >= 0)
        o.insert(QStringLiteral("expires_ms"), e.expiresMs);
    if (e.kind == EventKind::Rst && e.origin != RstOrigin::None)
        o.insert(QStringLiteral("origin"), originName(e.origin));
    if (e.via != Via::Call)
        o.insert(QStringLiteral("via"), viaName(e.via));
    return o;
}

bool eventFromJson(const QJsonObject &o, const ElementPath &path, EventStore *store, QString *error)
{
    FieldReader r(o, path, error);
    Event e;
    if (!r.integer("t_ns", 0, MaxExactInteger, &e.tNs)
        || !r.name("side", sideFromName, &e.side, clientOrServer)
        || !r.integerAs("conn", 0, std::numeric_limits<quint32>::max(), &e.conn)
        || !r.name("kind", kindFromName, &e.kind, kindChoices)) {
        return false;
    }
    bool ok = true;
    switch (e.kind) {
    case EventKind::Send:
    case EventKind::Recv:
        ok = r.integer("bytes", 0, MaxExactInteger, &e.bytes)
             && r.integer("offset", 0, MaxExactInteger, &e.offset);
        break;
    case EventKind::Shutdown:
        ok = r.name("how", howFromName, &e.how, [] { return QStringLiteral("rd, wr or rdwr"); });
        break;
    case EventKind::State:
        ok = r.name("state", stateFromName, &e.state, stateChoices);
        break;
    case EventKind::Queue:
        ok = r.integer("userq", 0, MaxExactInteger, &e.bytes)
             && r.integerAs("outq", 0, std::numeric_limits<qint32>::max(), &e.outq)
             && r.integerAs("inq", 0, std::numeric_limits<qint32>::max(), &e.inq);
        break;
    case EventKind::Error:
    case EventKind::Rst:
        ok = r.name(
            "errno", errnoFromName, &e.err, [] { return QStringLiteral("an errno name"); }, false);
        if (ok && r.has("message")) {
            QString ignored; // informational: strerror text on the machine that saved it
            ok = r.string("message", &ignored);
        }
        break;
    case EventKind::Close:
    case EventKind::Abort:
        ok = r.integer("unread", 0, MaxExactInteger, &e.bytes, false);
        break;
    default:
        break;
    }
    QString text;
    if (!ok || !r.string("text", &text, false))
        return false;
    if (e.kind == EventKind::State
        && !r.integerAs("expires_ms", 0, std::numeric_limits<qint32>::max(), &e.expiresMs, false)) {
        return false;
    }
    // Both are newer than the first files: a file without them still loads (a call, no origin).
    if (e.kind == EventKind::Rst
        && !r.name(
            "origin",
            originFromName,
            &e.origin,
            [] { return QStringLiteral("peer or local"); },
            false))
        return false;
    if (!r.name(
            "via",
            viaFromName,
            &e.via,
            [] { return QStringLiteral("call, notify or poll"); },
            false))
        return false;
    e.text = store->internString(text);
    store->append(e);
    return true;
}

} // namespace

QJsonObject Session::toJson(EventsInJson withEvents) const
{
    QJsonArray endpointArray;
    for (const EndpointRecord &ep : endpoints) {
        endpointArray.append(QJsonObject{{QStringLiteral("side"), sideName(ep.side)},
                                         {QStringLiteral("conn"), double(ep.conn)},
                                         {QStringLiteral("local"), ep.localAddress},
                                         {QStringLiteral("peer"), ep.peerAddress},
                                         {QStringLiteral("target"), ep.target}});
    }
    QJsonArray actionArray;
    for (const RecordedAction &a : actions) {
        QJsonObject o{{QStringLiteral("t_ns"), double(a.tNs)},
                      {QStringLiteral("side"), sideName(a.side)},
                      {QStringLiteral("conn"), double(a.conn)},
                      {QStringLiteral("action"), a.text}};
        if (a.endNs >= 0)
            o.insert(QStringLiteral("end_ns"), double(a.endNs));
        actionArray.append(o);
    }
    QJsonArray eventArray;
    if (withEvents == WithEvents) {
        for (const Event &e : events.events())
            eventArray.append(eventToJson(e, events));
    }
    QJsonArray payloadArray;
    for (const PayloadStream &p : events.payloadStreams()) {
        payloadArray.append(
            QJsonObject{{QStringLiteral("side"), sideName(p.side)},
                        {QStringLiteral("conn"), double(p.conn)},
                        {QStringLiteral("direction"), directionName(p.direction)},
                        {QStringLiteral("total"), double(p.total)},
                        {QStringLiteral("data"), QString::fromLatin1(p.data.toBase64())}});
    }
    return QJsonObject{
        {QStringLiteral("format"), QString(FormatName)},
        {QStringLiteral("version"), FormatVersion},
        {QStringLiteral("tool"), tool},
        {QStringLiteral("wall_clock_start"), wallClockStart.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("payload_cap"), double(events.payloadCap())},
        {QStringLiteral("payload_cut"), events.payloadCut()},
        {QStringLiteral("endpoints"), endpointArray},
        {QStringLiteral("actions"), actionArray},
        {QStringLiteral("events"), eventArray},
        {QStringLiteral("payloads"), payloadArray},
    };
}

namespace {

// Reads every field of the top-level object. arrays(key) gives an array held apart from the
// object (a file's, read one element at a time), or nullopt to take it from the object.
template<typename Arrays>
std::optional<Session> readSession(const QJsonObject &json, QString *error, Arrays arrays)
{
    FieldReader top(json, ElementPath(), error);
    QString format;
    if (!top.string("format", &format))
        return std::nullopt;
    if (format != FormatName) {
        top.fail("format", QStringLiteral("expected \"%1\", found \"%2\"").arg(FormatName, format));
        return std::nullopt;
    }
    qint64 version = 0;
    // Up to 2^53 rather than INT_MAX, so that any far newer version still gets the "newer" message.
    if (!top.integer("version", 1, MaxExactInteger, &version))
        return std::nullopt;
    if (version > Session::FormatVersion) {
        *error = QStringLiteral("version %1 is newer than this FinScope reads (%2)")
                     .arg(version)
                     .arg(Session::FormatVersion);
        return std::nullopt;
    }

    Session s;
    QString wall;
    qint64 cap = EventStore::DefaultPayloadCap;
    bool cut = false;
    if (!top.string("tool", &s.tool, false) || !top.string("wall_clock_start", &wall)
        || !top.integer("payload_cap", 0, MaxExactInteger, &cap, false)
        || !top.boolean("payload_cut", &cut, false)) {
        return std::nullopt;
    }
    s.wallClockStart = QDateTime::fromString(wall, Qt::ISODateWithMs);
    if (!s.wallClockStart.isValid()) {
        top.fail("wall_clock_start",
                 QStringLiteral("'%1' is not an ISO 8601 date and time").arg(wall));
        return std::nullopt;
    }
    s.events.setPayloadCap(cap);

    const auto list = [&](const char *key, ObjectList *out, bool required) {
        if (std::optional<ObjectList> apart = arrays(key)) {
            *out = *apart;
            return true;
        }
        QJsonArray array;
        if (!top.array(key, &array, required))
            return false;
        *out = ObjectList(array);
        return true;
    };
    ObjectList endpointList, actionList, eventList, payloadList;
    if (!list("endpoints", &endpointList, true) || !list("actions", &actionList, true)
        || !list("events", &eventList, true) || !list("payloads", &payloadList, false)) {
        return std::nullopt;
    }
    const bool endpointsOk = endpointList.forEach(
        "endpoints", error, [&](const QJsonObject &o, const ElementPath &path) {
            FieldReader r(o, path, error);
            EndpointRecord ep;
            if (!r.name("side", sideFromName, &ep.side, clientOrServer)
                || !r.integerAs("conn", 0, std::numeric_limits<quint32>::max(), &ep.conn)
                || !r.string("local", &ep.localAddress, false)
                || !r.string("peer", &ep.peerAddress, false)
                || !r.string("target", &ep.target, false)) {
                return false;
            }
            s.endpoints.append(ep);
            return true;
        });
    if (!endpointsOk)
        return std::nullopt;

    const bool actionsOk
        = actionList.forEach("actions", error, [&](const QJsonObject &o, const ElementPath &path) {
              FieldReader r(o, path, error);
              RecordedAction a;
              if (!r.integer("t_ns", 0, MaxExactInteger, &a.tNs)
                  || !r.name("side", sideFromName, &a.side, clientOrServer)
                  || !r.integerAs("conn", 0, std::numeric_limits<quint32>::max(), &a.conn)
                  || !r.string("action", &a.text)
                  || !r.integer("end_ns", 0, MaxExactInteger, &a.endNs, false)) {
                  return false;
              }
              if (a.endNs >= 0 && a.endNs < a.tNs)
                  return r.fail("end_ns",
                                QStringLiteral("ends before it starts (t_ns %1)").arg(a.tNs));
              QString why;
              if (!Action::parse(a.text, &why))
                  return r.fail("action", why);
              s.actions.append(a);
              return true;
          });
    if (!actionsOk)
        return std::nullopt;

    s.events.reserve(eventList.size());
    if (!eventList.forEach("events", error, [&](const QJsonObject &o, const ElementPath &path) {
            return eventFromJson(o, path, &s.events, error);
        })) {
        return std::nullopt;
    }

    std::set<std::tuple<Side, quint32, Direction>> seenStreams;
    qint64 kept = 0;
    const bool payloadsOk = payloadList.forEach(
        "payloads", error, [&](const QJsonObject &o, const ElementPath &path) {
            FieldReader r(o, path, error);
            PayloadStream p;
            QString data;
            const auto directionFrom = [](QStringView text) -> std::optional<Direction> {
                if (text == QLatin1StringView("sent"))
                    return Direction::Sent;
                if (text == QLatin1StringView("received"))
                    return Direction::Received;
                return std::nullopt;
            };
            if (!r.name("side", sideFromName, &p.side, clientOrServer)
                || !r.integerAs("conn", 0, std::numeric_limits<quint32>::max(), &p.conn)
                || !r.name("direction",
                           directionFrom,
                           &p.direction,
                           [] { return QStringLiteral("sent or received"); })
                || !r.integer("total", 0, MaxExactInteger, &p.total) || !r.string("data", &data)) {
                return false;
            }
            const auto decoded = QByteArray::fromBase64Encoding(
                data.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return r.fail("data", QStringLiteral("not valid base64"));
            p.data = *decoded;
            if (p.data.size() > p.total)
                return r.fail("data",
                              QStringLiteral("holds %1 bytes, more than its total of %2")
                                  .arg(p.data.size())
                                  .arg(p.total));
            // A second copy would silently replace the first; the writer never makes one.
            if (!seenStreams.insert({p.side, p.conn, p.direction}).second)
                return r.fail("conn",
                              QStringLiteral("a second payload for %1 %2 %3")
                                  .arg(sideName(p.side))
                                  .arg(p.conn)
                                  .arg(directionName(p.direction)));
            kept += p.data.size();
            s.events.setPayloadStream(p);
            return true;
        });
    if (!payloadsOk)
        return std::nullopt;
    // The store never keeps more than its cap, so more here means a hand-edited or foreign file.
    if (kept > cap) {
        *error = QStringLiteral("payloads: hold %1 bytes in all, more than payload_cap (%2)")
                     .arg(kept)
                     .arg(cap);
        return std::nullopt;
    }
    s.events.setPayloadCut(cut);
    return s;
}

// The whole document through QJsonDocument: for its messages about a file that is not JSON.
std::optional<Session>
fromDocument(const QByteArray &data, const QString &path, qsizetype end, QString *error)
{
    // QJsonDocument refuses nesting deeper than 1024 levels with DeepNesting, so a hostile file
    // of nested brackets is refused at once rather than exhausting the stack.
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(data, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = notJson(path, parseError.errorString(), parseError.offset, end);
        return std::nullopt;
    }
    if (!doc.isObject()) {
        const QString what = doc.isArray() ? QStringLiteral("an array") : QStringLiteral("a value");
        *error = QStringLiteral("session '%1': the top level is %2, not a JSON object")
                     .arg(path, what);
        return std::nullopt;
    }
    QString why;
    auto session = Session::fromJson(doc.object(), &why);
    if (!session)
        *error = QStringLiteral("session '%1': %2").arg(path, why);
    return session;
}

} // namespace

std::optional<Session> Session::fromJson(const QJsonObject &json, QString *error)
{
    QString scratch;
    if (!error)
        error = &scratch;
    return readSession(json, error, [](const char *) { return std::optional<ObjectList>(); });
}

bool Session::save(const QString &path, QString *error) const
{
    QString scratch;
    if (!error)
        error = &scratch;
    OutputFile file(path);
    file.setWhat(QStringLiteral("session"));
    if (!file.open(error))
        return false;
    // Everything but the events goes through QJsonDocument; the events, which may number millions,
    // are streamed one a line where a placeholder marks their place (a placeholder cannot match
    // inside a string value, whose quotes come out escaped).
    QJsonObject top = toJson(WithoutEvents);
    top.insert(QStringLiteral("events"), QStringLiteral("@events@"));
    const QByteArray frame = QJsonDocument(top).toJson(QJsonDocument::Indented);
    const QByteArray placeholder = "\"events\": \"@events@\"";
    const qsizetype at = frame.indexOf(placeholder);
    Q_ASSERT(at >= 0);
    file.write(frame.left(at));
    file.write("\"events\": [");
    QByteArray chunk;
    const std::vector<Event> &all = events.events();
    for (size_t i = 0; i < all.size(); ++i) {
        chunk.append(i == 0 ? "\n        " : ",\n        ");
        appendEventJson(&chunk, all[i], events);
        if (chunk.size() > 1 << 20) {
            file.write(chunk);
            chunk.clear();
        }
    }
    chunk.append(all.empty() ? "]" : "\n    ]");
    file.write(chunk);
    file.write(frame.mid(at + placeholder.size()));
    return file.commit(error);
}

std::optional<Session> Session::load(const QString &path, QString *error)
{
    QString scratch;
    if (!error)
        error = &scratch;
    // Checked before open(): opening a FIFO blocks until a writer comes, and reading /dev/zero
    // never ends.
    const QFileInfo info(path);
    if (info.exists() && !info.isFile()) {
        *error = QStringLiteral("session '%1' is not a regular file").arg(path);
        return std::nullopt;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open session '%1': %2").arg(path, file.errorString());
        return std::nullopt;
    }
    if (file.size() > MaxFileSize) {
        *error = QStringLiteral("session '%1' is %2 bytes, more than the 2 GiB FinScope reads")
                     .arg(path)
                     .arg(file.size());
        return std::nullopt;
    }
    // What the file holds, not the most it may hold: reserving 2 GiB up front aborted with
    // bad_alloc under an address-space limit or strict overcommit, whatever the file's size.
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        *error = QStringLiteral("cannot read session '%1': %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return fromBytes(data, path, error);
}

std::optional<Session>
Session::fromBytes(const QByteArray &data, const QString &name, QString *error)
{
    QString scratch;
    if (!error)
        error = &scratch;
    const QString &path = name;
    qsizetype end = data.size(); // one past the last byte that is not white space
    while (end > 0 && std::isspace(uchar(data.at(end - 1))))
        --end;
    if (end == 0) {
        *error = QStringLiteral("session '%1' is empty").arg(path);
        return std::nullopt;
    }
    // The arrays (the events, nearly all of a large file) are parsed one element at a time from
    // the bytes, and the other fields one by one: the whole document in QJsonDocument took about
    // four times the file, and the store as much again.
    JsonScanner scanner;
    if (!scanner.scan(data)) {
        if (!scanner.duplicateKey().isEmpty()) {
            *error = QStringLiteral("session '%1': %2").arg(path, scanner.duplicateKey());
            return std::nullopt;
        }
        return fromDocument(data, path, end, error);
    }
    if (!scanner.topIsObject())
        return fromDocument(data, path, end, error);
    QJsonObject top;
    const auto heldApart = [](const std::string &key) {
        return key == "endpoints" || key == "actions" || key == "events" || key == "payloads";
    };
    for (const JsonScanner::Member &m : scanner.members()) {
        // The scanner does not check UTF-8: QJsonDocument does, for everything it is given, and
        // the keys of the arrays held apart are given to it here.
        if (!QByteArrayView(m.key).isValidUtf8())
            return fromDocument(data, path, end, error);
        if (data.at(m.value.begin) == '[' && heldApart(m.key))
            continue;
        QByteArray wrapped; // QJsonDocument takes arrays and objects, not a bare value
        wrapped.reserve(m.value.end - m.value.begin + 2);
        wrapped.append('[').append(data.constData() + m.value.begin, m.value.end - m.value.begin);
        wrapped.append(']');
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(wrapped, &parseError);
        if (parseError.error != QJsonParseError::NoError)
            return fromDocument(data, path, end, error); // for the offset in the file
        top.insert(QString::fromStdString(m.key), doc.array().at(0));
    }
    bool notJsonInside = false;
    const ObjectList::Bytes bytes{&data, &path, end, &notJsonInside};
    QString why;
    auto session = readSession(top, &why, [&](const char *key) -> std::optional<ObjectList> {
        const JsonScanner::Member *m = scanner.member(key);
        if (!m || data.at(m->value.begin) != '[')
            return std::nullopt;
        return ObjectList(bytes, &m->elements);
    });
    if (!session)
        *error = notJsonInside ? why : QStringLiteral("session '%1': %2").arg(path, why);
    return session;
}

bool Session::hasActions(Side side) const
{
    return std::any_of(actions.cbegin(), actions.cend(), [side](const RecordedAction &a) {
        return a.side == side;
    });
}

QString Session::recordedTarget(Side side, quint32 conn) const
{
    for (const EndpointRecord &rec : endpoints) {
        if (rec.side == side && rec.conn == conn)
            return recordedTarget(rec);
    }
    return QString();
}

QString Session::recordedTarget(const EndpointRecord &rec)
{
    if (rec.side == Side::Server)
        return rec.target;
    QString error;
    return HostPort::parse(rec.target, false, &error) ? rec.target : rec.peerAddress;
}

} // namespace finscope
