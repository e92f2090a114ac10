#!/usr/bin/python3
"""Reads a message file with Python's email package, an independent MIME parser, and prints what the
Pester tests compare as JSON: decoded headers, bodies, attachments (with SHA-256 of their bytes), the
MIME structure, and facts about the raw octets (ASCII headers, longest line, bare line ends)."""
import email
import hashlib
import json
import sys
from email import policy


def addresses(message, name):
    field = message[name]
    if field is None:
        return []
    return [[a.display_name, a.addr_spec] for a in field.addresses]


def body(message, kind):
    part = message.get_body(preferencelist=(kind,))
    return None if part is None else part.get_content()


def main(path):
    raw = open(path, 'rb').read()
    message = email.message_from_bytes(raw, policy=policy.default)
    attachments = []
    for part in message.walk():
        if part.is_multipart() or part.get_filename() is None:
            continue
        content = part.get_payload(decode=True)
        attachments.append({
            'filename': part.get_filename(),
            'content_type': part.get_content_type(),
            'disposition': part.get_content_disposition(),
            'content_id': part['Content-ID'],
            'size': len(content),
            'sha256': hashlib.sha256(content).hexdigest(),
        })
    header_blocks = [raw.split(b'\r\n\r\n', 1)[0]]
    lines = raw.split(b'\r\n')
    print(json.dumps({
        'subject': message['Subject'],
        'from': addresses(message, 'From'),
        'sender': addresses(message, 'Sender'),
        'to': addresses(message, 'To'),
        'cc': addresses(message, 'Cc'),
        'reply_to': addresses(message, 'Reply-To'),
        'has_bcc': 'Bcc' in message,
        'date': message['Date'],
        'message_id': message['Message-ID'],
        'text': body(message, 'plain'),
        'html': body(message, 'html'),
        'attachments': attachments,
        'structure': [part.get_content_type() for part in message.walk()],
        'defects': [type(d).__name__ for part in message.walk() for d in part.defects],
        'header_ascii': all(b < 128 for b in header_blocks[0]),
        'all_ascii': all(b < 128 for b in raw),
        'max_line': max(len(line) for line in lines),
        'bare_line_ends': b'\n' in raw.replace(b'\r\n', b'') or b'\r' in raw.replace(b'\r\n', b''),
        'ends_with_crlf': raw.endswith(b'\r\n'),
        'extra': {name: message.get_all(name) for name in sys.argv[2:]},
    }, ensure_ascii=False))


if __name__ == '__main__':
    main(sys.argv[1])
