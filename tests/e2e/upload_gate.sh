#!/usr/bin/env bash
# The upload's first gate (wy_sniff_prefix in src/convert/sniff.c, used by
# src/web/upload.c): a file that is no document is refused with 415 from
# its first bytes, before the rest is stored, and leaves nothing behind;
# the server answers without reading the whole body. Real documents still
# upload and convert. Needs the corpus (a PDF and a DOCX); skips without.
source "$(dirname "$0")/lib.bash"

need_corpus
new_library
echo 'gatepass123' | "$WY_BIN" --data "$data" user add gate --password-stdin > /dev/null
serve_site WENYUAN_LOG=info
tok=$(api_login gate gatepass123)

# the blob store: bytes on disk, objects, and temporary files
store() { printf '%s %s %s' "$(du -sb "$data/blobs" 2>/dev/null | cut -f1)" \
	"$(find "$data/blobs" -type f ! -name 'obj.*' 2>/dev/null | wc -l)" \
	"$(find "$data/blobs" -name 'obj.*' 2>/dev/null | wc -l)"; }
docs() { curl -fsS -H "Authorization: Bearer $tok" "$base/api/v1/me/uploads" | jq .total; }
# up FILE NAME: POST it; "CODE BYTES-SENT" (curl's count of the body it wrote)
up() { curl -s -o "$d/up.json" -w '%{http_code} %{size_upload}' -X POST "$base/api/v1/upload" \
	-H "Authorization: Bearer $tok" -F "file=@$1;filename=$2"; }

# a first document, so the store is not empty
printf '文渊上传闸门测试\n第一行文字。\n' > "$d/first.txt"
first=$(upload "$tok" "$d/first.txt")
check "a text file uploads" wait_ready "$first" "$tok"

head -c $((8 << 20)) /dev/urandom > "$d/random.pdf"
size=$(stat -c %s "$d/random.pdf")
# an ELF executable: the wenyuan binary itself
cp "$WY_BIN" "$d/setup.exe"
elf=$(stat -c %s "$d/setup.exe")
# a PE executable's start, then bytes
{ printf 'MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00'; head -c $((3 << 20)) /dev/urandom; } > "$d/tool.exe"

before=$(store)
n0=$(docs)
read -r c sent <<<"$(up "$d/random.pdf" random.pdf)"
check "8 MB of random bytes named .pdf: 415" [ "$c" = 415 ]
check "... with a message in plain words and a reason code" \
	jqe '.reason_code == "unrecognized_format" and (.error | test("无法识别的文件格式"))' "$d/up.json"
echo "# curl sent $sent of $size bytes"
check "... answered before the client sent it all ($sent < $size)" [ "$sent" -lt "$size" ]
read_n=$(eventually grep -o 'upload.refused.*read=[0-9]*' "$d/serve.err" | tail -1 | sed 's/.*read=//')
echo "# the server read $read_n bytes of the body before refusing"
check "... refused after reading at most 64 KiB and a little" [ -n "$read_n" ] && [ "$read_n" -lt $((1 << 20)) ]
read -r c sent <<<"$(up "$d/setup.exe" setup.exe)"
check "an ELF executable: 415" [ "$c" = 415 ]
echo "# curl sent $sent of $elf bytes"
read -r c sent <<<"$(up "$d/tool.exe" tool.pdf)"
check "a PE executable named .pdf: 415" [ "$c" = 415 ]
check "the page's form gets the refusal as text (415)" \
	[ "$(curl -s -o "$d/page.txt" -w '%{http_code}' -X POST "$base/upload" -H "Authorization: Bearer $tok" -F "file=@$d/tool.exe")" = 415 ]
: > "$d/empty.pdf"
read -r c sent <<<"$(up "$d/empty.pdf" empty.pdf)"
check "a file of 0 bytes: 400, saying it is empty" \
	eval '[ "$c" = 400 ] && jqe ".error | test(\"文件是空的\")" "$d/up.json"'
after=$(store)
echo "# blob store (bytes objects temporaries) before: $before after: $after"
check "the blob store is the same before and after (bytes, objects, no temporary file)" [ "$before" = "$after" ]
check "no document was recorded" [ "$(docs)" = "$n0" ]
check "the server still answers" wait_http "$base/healthz"

# real documents still go through
pdf=$(upload "$tok" "$corpus/files/pdfjs__pdfs__issue2128r.pdf")
docx=$(upload "$tok" "$corpus/files/gongwen__dist__out.docx")
check "a real PDF uploads and converts" wait_ready "$pdf" "$tok"
# (LibreOffice's first start may take longer than wait_ready's minute)
ready_soon() { for _ in 1 2 3 4 5; do wait_ready "$1" "$tok" && return 0; done; return 1; }
check "a real DOCX uploads and converts" ready_soon "$docx"

# Two uploads of the same new bytes at once: A stores them first, B finds
# them stored, A is abandoned, then B ends. B's document keeps its file
# (found by attack: A took back the blob it had created, and B recorded a
# document on a missing file).
{ echo '同一文件两次上传'; head -c 12 /dev/urandom | od -An -tx1; } > "$d/same.txt"
port=${base##*:}
python3 - "$port" "$tok" "$d/same.txt" "$data" > "$d/race.out" <<'PY'
import glob, hashlib, socket, sys, time
port, tok, x, data = int(sys.argv[1]), sys.argv[2], open(sys.argv[3], "rb").read(), sys.argv[4]
def stored(sha, deadline=60):
    end = time.time() + deadline
    while time.time() < end and not glob.glob(data + "/**/" + sha, recursive=True):
        time.sleep(0.05)
def part(name, data, end=True):
    return (b'--XB\r\nContent-Disposition: form-data; name="file"; filename="' + name + b'"\r\n\r\n' + data
            + (b"\r\n" if end else b""))
def start(length, first):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("POST /api/v1/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: multipart/form-data; boundary=XB\r\nContent-Length: %d\r\n\r\n" % (tok, length)).encode() + first)
    return s
a = start(1 << 24, part(b"a.txt", x) + part(b"a2.txt", b"still coming " * 100, end=False))
stored(hashlib.sha256(x).hexdigest())  # A has stored the bytes
rest = b"more text\r\n--XB--\r\n"
pre = part(b"b.txt", x) + part(b"b2.txt", b"on its way " * 100, end=False)
b = start(len(pre) + len(rest), pre)
# B's first part finds the bytes stored. Nothing outside the server shows
# that moment: a second gives it the time (were B slower, it would store
# the bytes itself and the check below would still hold, testing less).
time.sleep(1)
a.close()  # A is abandoned
time.sleep(1)  # and its end (take_back) runs before B ends
b.sendall(rest)
b.settimeout(10)
out = b""
while b"\r\n\r\n" not in out or not out.rstrip().endswith(b"}"):
    d = b.recv(65536)
    if not d:
        break
    out += d
print(out.split(b"\r\n\r\n", 1)[1].decode())
PY
same=$(jq -r '.documents[0].id' "$d/race.out")
check "B's upload of the same bytes is recorded" eval '[ -n "$same" ] && [ "$same" != null ]'
check "... and converts: its file is still there" wait_ready "$same" "$tok"
finish
