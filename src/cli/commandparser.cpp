#include "commandparser.h"

namespace finscope {

CommandParser::CommandParser()
    : m_help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Shows this help."))
    , m_timeout(QStringLiteral("timeout"), QString(), QStringLiteral("SEC"))
{
    m_parser.addOption(m_help);
    // Actions are positional arguments that may follow an option ("send Hi" --save s.json "close"):
    // options are read wherever they stand, and a value is taken as it is, even "-".
    m_parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
}

void CommandParser::setCommand(const QString &name, const QString &summary)
{
    m_name = name;
    m_summary = summary;
}

void CommandParser::addArgument(const QString &name,
                                const QString &description,
                                const QString &syntax)
{
    m_parser.addPositionalArgument(name, description, syntax);
    m_syntax.append(syntax);
}

void CommandParser::addOption(const QCommandLineOption &option)
{
    m_parser.addOption(option);
    m_hasOptions = true;
}

void CommandParser::setDescription(const QString &text)
{
    m_description = text;
}

void CommandParser::setStopAtFirstArgument()
{
    m_parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
}

bool CommandParser::parse(const QStringList &args, QString *error)
{
    m_helpRequested = false;
    // QCommandLineParser skips the first argument as the program's name.
    const bool parsed = m_parser.parse(QStringList{m_name} + args);
    if (m_parser.isSet(m_help)) {
        m_helpRequested = true;
        return false;
    }
    if (parsed)
        return true;
    const QStringList unknown = m_parser.unknownOptionNames();
    if (unknown.isEmpty()) {
        // A missing or unexpected value: Qt's sentence names the option as typed.
        QString text = m_parser.errorText();
        if (text.endsWith(u'.'))
            text.chop(1);
        if (!text.isEmpty())
            text[0] = text.at(0).toLower();
        *error = text;
        return false;
    }
    // Qt names an unknown option without its dashes (and "-xy" as x and y); the user typed it
    // with them.
    const QString &name = unknown.first();
    QString typed = QStringLiteral("--") + name;
    for (const QString &arg : args) {
        if (arg == QLatin1StringView("--"))
            break;
        const bool isLong = arg.startsWith(QLatin1StringView("--"));
        if ((isLong && arg.section(u'=', 0, 0) == typed)
            || (!isLong && arg.size() > 1 && arg.startsWith(u'-') && arg.mid(1).contains(name))) {
            typed = arg.section(u'=', 0, 0);
            break;
        }
    }
    *error = QStringLiteral("unknown option '%1'").arg(typed);
    return false;
}

QString CommandParser::synopsis() const
{
    QString line = QStringLiteral("finscope-cli");
    if (!m_name.isEmpty())
        line += u' ' + m_name;
    if (m_hasOptions)
        line += QStringLiteral(" [options]");
    for (const QString &syntax : m_syntax)
        line += u' ' + syntax;
    return line;
}

QString CommandParser::helpText() const
{
    // Qt's text starts with a usage line naming the executable as it was started; the command's
    // own synopsis replaces it.
    const QString generated = m_parser.helpText();
    QString text = QStringLiteral("Usage: %1\n%2\n").arg(synopsis(), m_summary);
    if (!m_description.isEmpty())
        text += m_description + u'\n';
    return text + generated.mid(generated.indexOf(u'\n') + 1);
}

std::optional<int>
CommandParser::intValue(const QCommandLineOption &option, int min, int max, QString *error) const
{
    const QString text = m_parser.value(option);
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok || n < min || n > max) {
        *error = QStringLiteral("--%1: expected a whole number from %2 to %3, got '%4'")
                     .arg(option.names().constLast())
                     .arg(min)
                     .arg(max)
                     .arg(text);
        return std::nullopt;
    }
    return n;
}

void CommandParser::addTimeout(const QString &description)
{
    m_timeout.setDescription(description);
    addOption(m_timeout);
}

std::optional<qint64> CommandParser::timeoutMs(QString *error) const
{
    const QString text = m_parser.value(m_timeout);
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    // Rounded to the millisecond the timers keep; NaN fails every comparison.
    const qint64 ms = ok && seconds >= 0.001 && seconds <= 24 * 3600 ? qRound64(seconds * 1000) : 0;
    if (ms < 1) {
        *error = QStringLiteral("--timeout: expected seconds from 0.001 to 86400 (0.5 is half a "
                                "second), got '%1'")
                     .arg(text);
        return std::nullopt;
    }
    return ms;
}

QString CommandParser::seconds(qint64 ms)
{
    return QStringLiteral("%1 s").arg(double(ms) / 1000, 0, 'g', 12);
}

} // namespace finscope
