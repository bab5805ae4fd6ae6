#include "engine/session/jsonscanner.h"

#include "engine/session/eventjson.h"

#include <algorithm>

namespace finscope {

namespace {

// Past this many keys an object's keys are checked through a hash set, so that a hostile object
// with a million keys costs linear time; events have a dozen at most.
constexpr size_t LinearKeys = 16;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void appendUtf8(std::string *out, char32_t c)
{
    if (c < 0x80) {
        out->push_back(char(c));
    } else if (c < 0x800) {
        out->push_back(char(0xc0 | (c >> 6)));
        out->push_back(char(0x80 | (c & 0x3f)));
    } else if (c < 0x10000) {
        out->push_back(char(0xe0 | (c >> 12)));
        out->push_back(char(0x80 | ((c >> 6) & 0x3f)));
        out->push_back(char(0x80 | (c & 0x3f)));
    } else {
        out->push_back(char(0xf0 | (c >> 18)));
        out->push_back(char(0x80 | ((c >> 12) & 0x3f)));
        out->push_back(char(0x80 | ((c >> 6) & 0x3f)));
        out->push_back(char(0x80 | (c & 0x3f)));
    }
}

} // namespace

const JsonScanner::Member *JsonScanner::member(const std::string &key) const
{
    for (const Member &m : m_members) {
        if (m.key == key)
            return &m;
    }
    return nullptr;
}

void JsonScanner::skipSpace()
{
    while (m_pos < m_data.size()) {
        const char c = m_data[m_pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        ++m_pos;
    }
}

bool JsonScanner::literal(const char *word)
{
    const QByteArrayView w(word);
    if (m_data.sliced(m_pos).startsWith(w)) {
        m_pos += w.size();
        return true;
    }
    return false;
}

bool JsonScanner::number()
{
    const qsizetype n = m_data.size();
    if (m_pos < n && m_data[m_pos] == '-')
        ++m_pos;
    if (m_pos >= n || !isDigit(m_data[m_pos]))
        return false;
    if (m_data[m_pos] == '0') {
        ++m_pos;
    } else {
        while (m_pos < n && isDigit(m_data[m_pos]))
            ++m_pos;
    }
    if (m_pos < n && m_data[m_pos] == '.') {
        ++m_pos;
        if (m_pos >= n || !isDigit(m_data[m_pos]))
            return false;
        while (m_pos < n && isDigit(m_data[m_pos]))
            ++m_pos;
    }
    if (m_pos < n && (m_data[m_pos] == 'e' || m_data[m_pos] == 'E')) {
        ++m_pos;
        if (m_pos < n && (m_data[m_pos] == '+' || m_data[m_pos] == '-'))
            ++m_pos;
        if (m_pos >= n || !isDigit(m_data[m_pos]))
            return false;
        while (m_pos < n && isDigit(m_data[m_pos]))
            ++m_pos;
    }
    return true;
}

bool JsonScanner::string(std::string *decoded)
{
    const qsizetype n = m_data.size();
    ++m_pos; // the opening quote
    const qsizetype start = m_pos;
    // The common case, a key without escapes, is copied in one piece at the end.
    bool escaped = false;
    while (m_pos < n) {
        const uchar c = uchar(m_data[m_pos]);
        if (c == '"')
            break;
        if (c < 0x20)
            return false;
        if (c != '\\') {
            if (decoded && escaped)
                decoded->push_back(char(c));
            ++m_pos;
            continue;
        }
        if (decoded && !escaped) {
            decoded->assign(m_data.data() + start, size_t(m_pos - start));
            escaped = true;
        }
        if (++m_pos >= n)
            return false;
        const char e = m_data[m_pos++];
        char plain = 0;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            plain = e;
            break;
        case 'b':
            plain = '\b';
            break;
        case 'f':
            plain = '\f';
            break;
        case 'n':
            plain = '\n';
            break;
        case 'r':
            plain = '\r';
            break;
        case 't':
            plain = '\t';
            break;
        case 'u': {
            char32_t unit = 0;
            for (int i = 0; i < 4; ++i) {
                const int h = m_pos < n ? hexValue(m_data[m_pos]) : -1;
                if (h < 0)
                    return false;
                unit = unit * 16 + char32_t(h);
                ++m_pos;
            }
            if (decoded)
                appendUtf8(decoded, unit); // a surrogate half stays as it is: only compared
            continue;
        }
        default:
            return false;
        }
        if (decoded)
            decoded->push_back(plain);
    }
    if (m_pos >= n)
        return false;
    if (decoded && !escaped)
        decoded->assign(m_data.data() + start, size_t(m_pos - start));
    ++m_pos; // the closing quote
    return true;
}

bool JsonScanner::key(Frame &frame)
{
    if (m_pos >= m_data.size() || m_data[m_pos] != '"')
        return false;
    if (!string(&frame.key))
        return false;
    bool repeated = false;
    if (frame.keys.size() < LinearKeys) {
        repeated = std::find(frame.keys.begin(), frame.keys.end(), frame.key) != frame.keys.end();
        frame.keys.push_back(frame.key);
    } else {
        if (frame.keySet.empty())
            frame.keySet.insert(frame.keys.begin(), frame.keys.end());
        repeated = !frame.keySet.insert(frame.key).second;
    }
    if (repeated) {
        QString where;
        if (m_depth >= 2 && m_stack[0].object) {
            where = QString::fromStdString(m_stack[0].key);
            if (m_depth >= 3 && !m_stack[1].object)
                where += QStringLiteral("[%1]").arg(m_stack[1].index);
            where += QStringLiteral(": ");
        }
        QByteArray quoted;
        appendJsonString(&quoted, QString::fromStdString(frame.key));
        m_duplicate = QStringLiteral("%1the key %2 appears twice in one object (at byte %3)")
                          .arg(where, QString::fromUtf8(quoted))
                          .arg(m_pos);
        return false;
    }
    skipSpace();
    if (m_pos >= m_data.size() || m_data[m_pos] != ':')
        return false;
    ++m_pos;
    return true;
}

void JsonScanner::valueEnded(qsizetype start)
{
    if (m_depth == 1 && m_stack[0].object) {
        m_members.push_back({m_stack[0].key, {start, m_pos}, std::move(m_elements)});
        m_elements.clear();
    } else if (m_depth == 2 && m_stack[0].object && !m_stack[1].object) {
        m_elements.push_back({start, m_pos});
    }
    if (m_depth > 0)
        ++m_stack[size_t(m_depth - 1)].index;
}

bool JsonScanner::scan(QByteArrayView data)
{
    m_data = data;
    m_pos = 0;
    m_depth = 0;
    m_members.clear();
    m_elements.clear();
    m_duplicate.clear();
    const qsizetype n = data.size();
    if (data.startsWith("\xef\xbb\xbf"))
        m_pos = 3; // a UTF-8 byte order mark, which QJsonDocument skips too
    skipSpace();
    m_topIsObject = m_pos < n && data[m_pos] == '{';
    // Each turn reads one value; a container opens a frame and the turn ends at its first
    // value, and the closing brackets that follow a value end their frames.
    while (true) {
        skipSpace();
        if (m_pos >= n)
            return false;
        const qsizetype start = m_pos;
        const char c = data[m_pos];
        bool ok = true;
        if (c == '{' || c == '[') {
            if (m_depth >= MaxDepth)
                return false;
            if (size_t(m_depth) == m_stack.size())
                m_stack.emplace_back();
            Frame &frame = m_stack[size_t(m_depth++)];
            frame.object = c == '{';
            frame.start = start;
            frame.index = 0;
            frame.keys.clear();
            frame.keySet.clear();
            ++m_pos;
            skipSpace();
            const char close = frame.object ? '}' : ']';
            if (m_pos < n && data[m_pos] == close) {
                ++m_pos;
                --m_depth;
                valueEnded(start);
            } else {
                if (frame.object && !key(frame))
                    return false;
                continue;
            }
        } else if (c == '"') {
            ok = string(nullptr);
        } else if (c == 't') {
            ok = literal("true");
        } else if (c == 'f') {
            ok = literal("false");
        } else if (c == 'n') {
            ok = literal("null");
        } else {
            ok = number();
        }
        if (!ok)
            return false;
        if (c != '{' && c != '[')
            valueEnded(start);
        // After a value: a comma and the next member or element, or the end of the container
        // (and perhaps of its parents).
        while (true) {
            skipSpace();
            if (m_depth == 0)
                return m_pos == n;
            if (m_pos >= n)
                return false;
            Frame &frame = m_stack[size_t(m_depth - 1)];
            const char next = data[m_pos++];
            if (next == ',') {
                skipSpace();
                if (frame.object && !key(frame))
                    return false;
                break;
            }
            if (next != (frame.object ? '}' : ']'))
                return false;
            --m_depth;
            valueEnded(frame.start);
        }
    }
}

} // namespace finscope
