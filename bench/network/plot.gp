# Bitrates over time in the shaped-link benchmark (bench/network/run.sh):
# one PNG per profile (network-<profile>.png), one panel per system; every
# call's sender video bitrate (red), receiver video bitrate (blue), and the
# shaped link rate (black steps). t = 0 is the start of the measurement
# window; before it, the warm-up. Run in the output folder with
#   gnuplot -e "series='series.tsv'" plot.gp
if (!exists("series")) series = 'series.tsv'
set datafile separator "\t"
set datafile missing "-"
profiles = system(sprintf("awk -F'\\t' 'NR>1 && !seen[$1]++ {print $1}' %s", series))
systems = system(sprintf("awk -F'\\t' 'NR>1 && !seen[$2]++ {print $2}' %s", series))
ncalls = int(system(sprintf("awk -F'\\t' 'NR>1 && $3>m {m=$3} END {print m+0}' %s", series)))
set terminal pngcairo size 1500,420*words(systems) font ",10"
set xlabel "s from the start of the window"
set ylabel "kbit/s"
set key top right
set grid
do for [p in profiles] {
	set output sprintf("network-%s.png", p)
	set multiplot layout words(systems),1 title sprintf("%s: sender's video bitrate (red), receiver's (blue), link (black)", p)
	do for [s in systems] {
		set title s
		plot for [c=1:ncalls] series using (strcol(1) eq p && strcol(2) eq s && $3 == c ? $4 : NaN):6 \
			with lines lc rgb "#d62728" lw 1.2 title (c == 1 ? "sent" : ""), \
		     for [c=1:ncalls] series using (strcol(1) eq p && strcol(2) eq s && $3 == c ? $4 : NaN):9 \
			with lines lc rgb "#1f77b4" lw 1.2 title (c == 1 ? "received" : ""), \
		     series using (strcol(1) eq p && strcol(2) eq s && $3 == 1 && $5 > 0 ? $4 : NaN):5 \
			with steps lc rgb "black" lw 2 title "link"
	}
	unset multiplot
}
