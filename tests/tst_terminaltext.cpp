// TerminalText: what a file's text looks like once it is safe to print.

#include "engine/core/terminaltext.h"

#include <QTest>

using namespace finscope;

class TestTerminalText : public QObject
{
    Q_OBJECT

private slots:
    void escaped_data();
    void escaped();
    void newlinesKeptBetweenLines();
};

void TestTerminalText::escaped_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("shown");
    QTest::newRow("plain text is kept")
        << QStringLiteral("client 1 send 5 B") << QStringLiteral("client 1 send 5 B");
    QTest::newRow("a backslash is kept: action texts carry their own escapes")
        << QStringLiteral("send a\\nb") << QStringLiteral("send a\\nb");
    QTest::newRow("other scripts and astral characters are kept")
        << QStringLiteral("caf\u00e9 \u4e2d ") + QChar(0xd83d) + QChar(0xde00)
        << QStringLiteral("caf\u00e9 \u4e2d ") + QChar(0xd83d) + QChar(0xde00);
    QTest::newRow("a title sequence")
        << QStringLiteral("\x1b]0;owned\x07") << QStringLiteral("\\x1b]0;owned\\x07");
    QTest::newRow("a clipboard write (OSC 52)")
        << QStringLiteral("\x1b]52;c;aGk=\x1b\\") << QStringLiteral("\\x1b]52;c;aGk=\\x1b\\");
    QTest::newRow("newline, return, tab, NUL")
        << QStringLiteral("a\nb\rc\td") + QChar(u'\0') << QStringLiteral("a\\nb\\rc\\td\\x00");
    QTest::newRow("DEL and the C1 CSI")
        << QStringLiteral("\x7f") + QChar(0x9b) + QStringLiteral("2J")
        << QStringLiteral("\\x7f\\x9b2J");
    QTest::newRow("line and paragraph separators")
        << QString(QChar(0x2028)) + QChar(0x2029) << QStringLiteral("\\u2028\\u2029");
    QTest::newRow("bidi override and isolates")
        << QString(QChar(0x202e)) + QChar(0x2066) + QChar(0x2069) + QChar(0x200f)
        << QStringLiteral("\\u202e\\u2066\\u2069\\u200f");
    QTest::newRow("a lone surrogate reads as U+FFFD")
        << QStringLiteral("a") + QChar(0xd800) + QStringLiteral("b")
        << QStringLiteral("a") + QChar(QChar::ReplacementCharacter) + QStringLiteral("b");
}

void TestTerminalText::escaped()
{
    QFETCH(QString, text);
    QFETCH(QString, shown);
    QCOMPARE(TerminalText::escaped(text), shown);
    QCOMPARE(TerminalText::isSafe(text), text == shown);
    QVERIFY(TerminalText::isSafe(TerminalText::escaped(text)));
}

void TestTerminalText::newlinesKeptBetweenLines()
{
    const QString text = QStringLiteral("one\x1b[A\ntwo\n");
    QCOMPARE(TerminalText::escaped(text, TerminalText::KeepNewlines),
             QStringLiteral("one\\x1b[A\ntwo\n"));
    QVERIFY(!TerminalText::isSafe(QStringLiteral("one\ntwo")));
    QVERIFY(TerminalText::isSafe(QStringLiteral("one\ntwo"), TerminalText::KeepNewlines));
}

QTEST_APPLESS_MAIN(TestTerminalText)
#include "tst_terminaltext.moc"
