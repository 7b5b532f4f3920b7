#!/usr/bin/env bash
# Turns the recording of a Duet call into one video: both participants side
# by side, both voices mixed, kept in sync from the recordings' own clocks.
#
# Janus records each participant's audio and video into separate .mjr files
# (<name>-audio.mjr, <name>-video.mjr, and <name>-data.mjr for chat). This
# converts each with janus-pp-rec (Debian janus-tools), then lays the
# participants out left to right with ffmpeg (Debian ffmpeg), each track
# delayed by when its first packet was written, so that late joiners and
# late video start where they really started.
#
# Usage: scripts/call-recording.sh OUTPUT.webm FILE.mjr...
#        scripts/call-recording.sh OUTPUT.webm FOLDER [PREFIX]
#   With a folder, every FOLDER/PREFIX*.mjr is used (PREFIX: e.g. "duet-1234-").
#   The output is WebM (VP8 + Opus); at most 2 participants (a Duet call).
set -euo pipefail

die() {
	echo "call-recording: $*" >&2
	exit 1
}

[ $# -ge 2 ] || die "usage: $0 OUTPUT.webm FILE.mjr... | $0 OUTPUT.webm FOLDER [PREFIX]"
out=$1
shift
if [ -d "$1" ]; then
	shopt -s nullglob
	files=("$1/${2:-}"*.mjr)
else
	files=("$@")
fi
[ ${#files[@]} -gt 0 ] || die "no .mjr files"
command -v janus-pp-rec >/dev/null || die "janus-pp-rec not found (apt-get install janus-tools)"
command -v ffmpeg >/dev/null || die "ffmpeg not found (apt-get install ffmpeg)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# header FILE FIELD: a field of the .mjr JSON header (c = codec, u = first packet time in us).
header() {
	janus-pp-rec -j "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$2"
}

# Convert every audio and video file; remember its participant, kind and start.
declare -A video audio start
people=()
for f in "${files[@]}"; do
	base=$(basename "$f" .mjr)
	case "$base" in
	*-audio) kind=audio ;;
	*-video) kind=video ;;
	*) continue ;; # data (chat) has no place in a video
	esac
	who=${base%-"$kind"}
	codec=$(header "$f" c)
	first=$(header "$f" u)
	[ -n "$first" ] && [ "$first" != 0 ] || continue # never got a packet
	case "$codec" in
	opus) ext=opus ;;
	vp8 | vp9) ext=webm ;;
	h264) ext=mp4 ;;
	*) ext=mkv ;;
	esac
	target="$work/$base.$ext"
	janus-pp-rec "$f" "$target" >"$work/$base.log" 2>&1 || die "janus-pp-rec failed on $f (see its log: $(tail -3 "$work/$base.log"))"
	if [ "$kind" = audio ]; then audio[$who]=$target; else video[$who]=$target; fi
	start[$who.$kind]=$first
	[[ " ${people[*]} " == *" $who "* ]] || people+=("$who")
done
[ ${#people[@]} -gt 0 ] || die "no audio or video with packets in the recordings"
[ ${#people[@]} -le 2 ] || die "more than two participants: ${people[*]}"

# The earliest first packet is time zero; every track is delayed from it.
t0=$(printf '%s\n' "${start[@]}" | sort -n | head -1)
delay() { python3 -c 'import sys; print("%.3f" % ((int(sys.argv[1]) - int(sys.argv[2])) / 1e6))' "$1" "$t0"; }

inputs=()
filters=()
tiles=()
voices=()
n=0
for who in "${people[@]}"; do
	if [ -n "${video[$who]:-}" ]; then
		inputs+=(-itsoffset "$(delay "${start[$who.video]}")" -i "${video[$who]}")
	else
		inputs+=(-f lavfi -i "color=c=black:s=640x480:r=15")
	fi
	filters+=("[$n:v]scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=15[v$n]")
	tiles+=("[v$n]")
	v=$n
	n=$((n + 1))
	if [ -n "${audio[$who]:-}" ]; then
		inputs+=(-itsoffset "$(delay "${start[$who.audio]}")" -i "${audio[$who]}")
		voices+=("[$n:a]")
		n=$((n + 1))
	fi
	: "$v"
done
if [ ${#tiles[@]} -eq 2 ]; then
	filters+=("${tiles[0]}${tiles[1]}hstack=inputs=2[video]")
else
	filters+=("${tiles[0]}copy[video]")
fi
maps=(-map "[video]")
if [ ${#voices[@]} -eq 2 ]; then
	filters+=("${voices[0]}${voices[1]}amix=inputs=2:duration=longest:normalize=0[audio]")
	maps+=(-map "[audio]")
elif [ ${#voices[@]} -eq 1 ]; then
	filters+=("${voices[0]}anull[audio]")
	maps+=(-map "[audio]")
fi

# A black filler has no end: stop at the longest recorded track.
longest=0
for f in "$work"/*.webm "$work"/*.opus "$work"/*.mp4 "$work"/*.mkv; do
	[ -f "$f" ] || continue
	base=$(basename "${f%.*}")
	case "$base" in *-audio) k=audio ;; *) k=video ;; esac
	who=${base%-"$k"}
	d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f")
	end=$(python3 -c 'import sys; print("%.3f" % (float(sys.argv[1] or 0) + float(sys.argv[2])))' "$d" "$(delay "${start[$who.$k]}")")
	longest=$(python3 -c 'import sys; print(max(float(sys.argv[1]), float(sys.argv[2])))' "$longest" "$end")
done

IFS=';'
ffmpeg -hide_banner -loglevel error -y "${inputs[@]}" -filter_complex "${filters[*]}" "${maps[@]}" \
	-t "$longest" -c:v libvpx -deadline realtime -cpu-used 8 -b:v 1500k -c:a libopus -b:a 64k "$out"
unset IFS
echo "call-recording: wrote $out (${people[*]}, ${longest}s)"
