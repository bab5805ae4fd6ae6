// libFuzzer target over the session loader and every way out of a loaded session: any bytes must
// give a Session or an error sentence, never a crash, a hang or a sanitizer report. A session that
// loads is then exported as text (no character in it may drive a terminal, and no field may start
// a line of its own), as Python (the script is printable ASCII, every string literal reads back as
// its text) and as SVG (well-formed XML), compared with itself (equivalent), and saved and loaded
// again (the same session, or the save refused with a sentence). Built with -DFINSCOPE_FUZZ=ON
// (clang), run by tools/fuzz.sh.

#include "engine/core/terminaltext.h"
#include "engine/session/pythonexport.h"
#include "engine/session/session.h"
#include "engine/session/sessioncomparison.h"
#include "engine/session/sessiontextexport.h"
#include "render/timelineexport.h"
#include "render/timelinemodel.h"
#include "render/timelinepainter.h"
#include "render/timelinestyle.h"

#include <QByteArray>
#include <QFile>
#include <QGuiApplication>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>

using namespace finscope;

namespace {

// Reports which check failed, then stops the run: libFuzzer keeps the input.
void fail(const char *what, const QString &detail = QString())
{
    std::fprintf(stderr, "fuzz_session: %s %s\n", what, qPrintable(detail.left(400)));
    __builtin_trap();
}

// Python's reading of a '...' literal as PythonExport writes it: nullopt when it holds anything
// but printable ASCII, could end early, or uses an escape the escaper does not write.
std::optional<QString> readPythonLiteral(QStringView literal)
{
    if (literal.size() < 2 || literal.front() != u'\'' || literal.back() != u'\'')
        return std::nullopt;
    QList<char32_t> out;
    const QStringView body = literal.sliced(1, literal.size() - 2);
    for (qsizetype i = 0; i < body.size(); ++i) {
        const char16_t c = body.at(i).unicode();
        if (c < 0x20 || c >= 0x7f || c == u'\'')
            return std::nullopt;
        if (c != u'\\') {
            out.append(c);
            continue;
        }
        if (++i == body.size())
            return std::nullopt; // a backslash before the closing quote escapes it
        const char16_t e = body.at(i).unicode();
        int digits = 0;
        switch (e) {
        case u'\\':
        case u'\'':
            out.append(e);
            continue;
        case u'n':
            out.append(u'\n');
            continue;
        case u'r':
            out.append(u'\r');
            continue;
        case u't':
            out.append(u'\t');
            continue;
        case u'x':
            digits = 2;
            break;
        case u'u':
            digits = 4;
            break;
        case u'U':
            digits = 8;
            break;
        default:
            return std::nullopt;
        }
        if (i + digits >= body.size())
            return std::nullopt;
        bool ok = false;
        const uint value = body.sliced(i + 1, digits).toUInt(&ok, 16);
        if (!ok || value > 0x10ffff)
            return std::nullopt;
        out.append(char32_t(value));
        i += digits;
    }
    return QString::fromUcs4(out.constData(), out.size());
}

void checkPythonEscaping(const QString &text)
{
    const QString literal = PythonExport::stringLiteral(text);
    const auto read = readPythonLiteral(literal);
    // A lone surrogate cannot be carried: it reads as U+FFFD, as QString::toUcs4 makes it.
    const QList<uint> ucs4 = text.toUcs4();
    const QString expected
        = QString::fromUcs4(reinterpret_cast<const char32_t *>(ucs4.constData()), ucs4.size());
    if (!read || *read != expected)
        fail("python literal does not read back", literal);
    for (const QChar c : PythonExport::commentText(text)) {
        if (c.unicode() < 0x20 || c.unicode() >= 0x7f)
            fail("python comment holds a control or non-ASCII", text);
    }
    if (!TerminalText::isSafe(TerminalText::escaped(text)))
        fail("terminal escaping left a control", text);
}

void checkStrings(const Session &session)
{
    checkPythonEscaping(session.tool);
    for (const EndpointRecord &e : session.endpoints) {
        checkPythonEscaping(e.localAddress);
        checkPythonEscaping(e.peerAddress);
        checkPythonEscaping(e.target);
    }
    for (const RecordedAction &a : session.actions)
        checkPythonEscaping(a.text);
    for (const QString &s : session.events.strings())
        checkPythonEscaping(s);
}

void checkText(const Session &session)
{
    const QString text = SessionTextExport::text(session);
    if (!TerminalText::isSafe(text, TerminalText::KeepNewlines))
        fail("text export holds a terminal control");
    const qsizetype lines = SessionTextExport::headerLines(session).size()
                            + SessionTextExport::timelineLines(session).size();
    if (text.count(u'\n') != lines)
        fail("a field of the text export starts a line of its own");
}

void checkPython(const Session &session)
{
    for (const Side side : {Side::Client, Side::Server}) {
        QString error;
        const auto script = PythonExport::script(session, side, &error);
        if (!script) {
            if (error.isEmpty())
                fail("python export refused without a sentence");
            continue;
        }
        for (const QChar c : *script) {
            if (c != u'\n' && (c.unicode() < 0x20 || c.unicode() >= 0x7f))
                fail("python script holds a control or non-ASCII character");
        }
    }
}

void checkSvg(const Session &session)
{
    const TimelineModel model(&session);
    const TimelinePainter timeline(
        model, TimelineStyle(QGuiApplication::palette()), QGuiApplication::font());
    QString error;
    const auto svg = TimelineExport::svg(timeline, session.tool, &error, 400);
    if (!svg) {
        if (error.isEmpty())
            fail("svg export refused without a sentence");
        return;
    }
    QXmlStreamReader xml(*svg);
    while (!xml.atEnd())
        xml.readNext();
    if (xml.hasError())
        fail("svg is not well-formed XML", xml.errorString());
}

void checkRoundTrip(const Session &session)
{
    static QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("saved.json"));
    QString error;
    if (!session.save(path, &error)) {
        if (error.isEmpty())
            fail("save refused without a sentence");
        return;
    }
    // Read here, not with Session::load, whose read size is another fix's business.
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        fail("the saved session cannot be read");
    const auto reloaded = Session::fromBytes(file.readAll(), path, &error);
    if (!reloaded)
        fail("a saved session does not load:", error);
    if (reloaded->toJson() != session.toJson())
        fail("the reloaded session differs from the saved one");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // The SVG export draws with fonts: a QGuiApplication, on the platform that needs no display,
    // given none of libFuzzer's arguments to take.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "fuzz_session";
    static char *argv[] = {name, nullptr};
    static QGuiApplication app(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes
        = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const std::optional<Session> session
        = Session::fromBytes(bytes, QStringLiteral("fuzz"), &error);
    // A refusal must say something; an accepted file must survive its own round trip.
    if (!session && error.isEmpty())
        fail("refused without a sentence");
    if (!session)
        return 0;
    if (!Session::fromJson(session->toJson(), &error))
        fail("toJson does not load:", error);
    checkStrings(*session);
    checkText(*session);
    checkPython(*session);
    checkSvg(*session);
    const SessionComparison comparison(*session, *session);
    if (!comparison.equivalent())
        fail("a session differs from itself:", comparison.report());
    checkRoundTrip(*session);
    return 0;
}
