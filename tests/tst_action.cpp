// The action words shared by the CLI, session files and scenarios: parsing, errors, round trips.

#include "engine/core/action.h"

#include <QTest>

using namespace finscope;
using Kind = Action::Kind;

class TestAction : public QObject
{
    Q_OBJECT

private slots:
    void parsesEveryWord_data();
    void parsesEveryWord();
    void roundTrip_data();
    void roundTrip();
    void refusesBadInput_data();
    void refusesBadInput();
    void listNamesTheFailingItem();
    void sizes_data();
    void sizes();
};

void TestAction::parsesEveryWord_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("count");
    QTest::addColumn<int>("how");
    QTest::addColumn<QString>("path");
    const auto row = [](const char *name,
                        const QString &text,
                        Kind kind,
                        QByteArray data = {},
                        qint64 count = 0,
                        ShutdownHow how = ShutdownHow::None,
                        QString path = {}) {
        QTest::newRow(name) << text << int(kind) << data << count << int(how) << path;
    };
    row("send keeps spaces", "send Hello,  server ", Kind::Send, "Hello,  server ");
    row("send escapes", R"(send a\nb\r\tc\\d)", Kind::Send, "a\nb\r\tc\\d");
    row("send hex escapes", R"(send \x00\xffZ)", Kind::Send, QByteArray("\x00\xffZ", 3));
    row("send utf-8", QStringLiteral("send h\u00e9"), Kind::Send, "h\xc3\xa9");
    row("send a lone space", "send  ", Kind::Send, " ");
    row("send-hex", "send-hex 48 65 6c6C", Kind::SendHex, "Hell");
    row("send-file",
        "send-file /tmp/some file",
        Kind::SendFile,
        {},
        0,
        ShutdownHow::None,
        "/tmp/some file");
    row("send-pattern plain", "send-pattern 100", Kind::SendPattern, {}, 100);
    row("send-pattern 4G", "send-pattern 4G", Kind::SendPattern, {}, 4LL << 30);
    row("send-pattern lowercase k", "send-pattern 16k", Kind::SendPattern, {}, 16 << 10);
    row("shutdown wr", "shutdown wr", Kind::Shutdown, {}, 0, ShutdownHow::Write);
    row("shutdown rd", "shutdown rd", Kind::Shutdown, {}, 0, ShutdownHow::Read);
    row("shutdown rdwr", "shutdown rdwr", Kind::Shutdown, {}, 0, ShutdownHow::Both);
    row("close", "close", Kind::Close);
    row("abort", "abort", Kind::Abort);
    row("read", "read", Kind::Read);
    row("read-until-eof", "read-until-eof", Kind::ReadUntilEof);
    row("pause-reading", "pause-reading", Kind::PauseReading);
    row("resume-reading", "resume-reading", Kind::ResumeReading);
    row("echo", "echo", Kind::Echo);
    row("echo-upper", "echo-upper", Kind::EchoUpper);
    row("discard", "discard", Kind::Discard);
    row("wait", "wait 250", Kind::Wait, {}, 250);
    row("wait zero", "wait 0", Kind::Wait, {}, 0);
    row("expect-eof", "expect-eof", Kind::ExpectEof);
    row("expect-rst", "  expect-rst  ", Kind::ExpectRst);
    row("dup", "dup", Kind::Dup);
    row("close-dup", "close-dup", Kind::CloseDup);
}

void TestAction::parsesEveryWord()
{
    QFETCH(QString, text);
    QFETCH(int, kind);
    QFETCH(QByteArray, data);
    QFETCH(qint64, count);
    QFETCH(int, how);
    QFETCH(QString, path);
    QString error;
    const auto action = Action::parse(text, &error);
    QVERIFY2(action, qPrintable(error));
    QCOMPARE(int(action->kind), kind);
    QCOMPARE(action->data, data);
    QCOMPARE(action->count, count);
    QCOMPARE(int(action->how), how);
    QCOMPARE(action->path, path);
}

void TestAction::roundTrip_data()
{
    QTest::addColumn<QString>("text");
    QByteArray every;
    for (int i = 0; i < 256; ++i)
        every.append(char(i));
    Action binary;
    binary.kind = Kind::Send;
    binary.data = every;
    QTest::newRow("send every byte value") << binary.toString();
    QTest::newRow("send with spaces") << "send  two  spaces ";
    QTest::newRow("send-hex") << "send-hex 00ff10";
    QTest::newRow("send-file") << "send-file /a b/c";
    QTest::newRow("send-pattern") << "send-pattern 4G";
    QTest::newRow("shutdown") << "shutdown rdwr";
    QTest::newRow("wait") << "wait 10";
    for (const char *word : {"close",
                             "abort",
                             "read",
                             "read-until-eof",
                             "pause-reading",
                             "resume-reading",
                             "echo",
                             "echo-upper",
                             "discard",
                             "expect-eof",
                             "expect-rst"}) {
        QTest::newRow(word) << QString::fromLatin1(word);
    }
}

void TestAction::roundTrip()
{
    QFETCH(QString, text);
    const auto first = Action::parse(text, nullptr);
    QVERIFY(first);
    const QString canonical = first->toString();
    QString error;
    const auto second = Action::parse(canonical, &error);
    QVERIFY2(second, qPrintable(canonical + QStringLiteral(": ") + error));
    QVERIFY(*first == *second);
    QCOMPARE(second->toString(), canonical);
}

void TestAction::refusesBadInput_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << ""
                           << "empty action";
    QTest::newRow("unknown word") << "sned hi"
                                  << "unknown action 'sned' at column 1";
    QTest::newRow("unknown word after spaces") << "  frob"
                                               << "unknown action 'frob' at column 3";
    QTest::newRow("send without text") << "send"
                                       << "'send' needs an argument";
    QTest::newRow("bad escape") << R"(send ab\q)"
                                << "unknown escape '\\q' at column 8";
    QTest::newRow("lone backslash") << R"(send ab\)"
                                    << "lone backslash at column 8";
    QTest::newRow("truncated hex escape") << R"(send \x4)"
                                          << "'\\x' at column 6 needs two hex";
    QTest::newRow("bad hex escape") << R"(send \xzz)"
                                    << "'\\x' at column 6";
    QTest::newRow("bad hex digit") << "send-hex 4g"
                                   << "bad hex digit 'g' at column 11";
    QTest::newRow("odd hex digits") << "send-hex 414"
                                    << "odd hex digit at column 12";
    QTest::newRow("split hex byte") << "send-hex 4 1"
                                    << "odd hex digit at column 10";
    QTest::newRow("bad size") << "send-pattern 4X"
                              << "bad size '4X' at column 14";
    QTest::newRow("zero pattern") << "send-pattern 0"
                                  << "bad size '0'";
    QTest::newRow("negative pattern") << "send-pattern -5"
                                      << "bad size '-5'";
    QTest::newRow("overflowing pattern") << "send-pattern 99999999999999999G"
                                         << "bad size";
    // Larger than a session file's numbers hold: the saved session could not be opened again.
    QTest::newRow("pattern above 2^53") << "send-pattern 9007199254740993"
                                        << "size '9007199254740993' at column 14 is more than 8P";
    QTest::newRow("pattern above 2^53 in G") << "send-pattern 8388609G"
                                             << "is more than 8P (2^53 bytes)";
    QTest::newRow("wait past 2^53 ns")
        << "wait 9007199255"
        << "wait '9007199255' at column 6 is more than 9007199254 ms";
    QTest::newRow("suffix only") << "send-pattern K"
                                 << "bad size 'K'";
    QTest::newRow("missing pattern size") << "send-pattern"
                                          << "needs an argument";
    QTest::newRow("bad shutdown") << "shutdown rw"
                                  << "shutdown needs wr, rd or rdwr at column 10";
    QTest::newRow("missing shutdown") << "shutdown"
                                      << "needs an argument";
    QTest::newRow("negative wait") << "wait -1"
                                   << "bad wait '-1' at column 6";
    QTest::newRow("wait not a number") << "wait soon"
                                       << "bad wait 'soon'";
    QTest::newRow("extra argument") << "close now"
                                    << "'close' takes no argument, but 'now'";
    QTest::newRow("extra argument column") << "read  x"
                                           << "at column 7";
}

void TestAction::refusesBadInput()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!Action::parse(text, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestAction::listNamesTheFailingItem()
{
    QString error;
    QVERIFY(Action::parseList({"send a", "close"}, &error));
    QVERIFY(!Action::parseList({"send a", "read", "shutdown rw"}, &error));
    QVERIFY2(error.startsWith(QLatin1StringView("action 3 ('shutdown rw'): shutdown needs")),
             qPrintable(error));
}

void TestAction::sizes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("plain") << "100" << qint64(100);
    QTest::newRow("k") << "16k" << qint64(16384);
    QTest::newRow("M") << "3M" << qint64(3 << 20);
    QTest::newRow("g") << "4g" << (qint64(4) << 30);
    QTest::newRow("empty") << "" << qint64(-1);
    QTest::newRow("spaces") << "1 K" << qint64(-1);
    QTest::newRow("overflow") << "9223372036854775807K" << qint64(-1);
}

void TestAction::sizes()
{
    QFETCH(QString, text);
    QFETCH(qint64, expected);
    const auto size = parseSize(text);
    QCOMPARE(size.value_or(-1), expected);
}

QTEST_APPLESS_MAIN(TestAction)
#include "tst_action.moc"
