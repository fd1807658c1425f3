"""Top-level domains that make a bare "example.fr" a link without "https://".

Every two-letter country code top-level domain, and the generic ones people actually write in posts.
A bare domain on another TLD stays text, as it does in the networks' own clients (which carry the whole
IANA list; ours trades the rarest TLDs for a list that fits on a page).
"""

from __future__ import annotations

_CCTLDS = """
ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by
bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi
fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im
in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc
md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa
pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss
st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn
vu wf ws ye yt za zm zw
"""

_GTLDS = """
com net org info biz edu gov mil int name pro aero coop museum mobi asia tel travel jobs cat post
app dev page blog shop store online site tech xyz club top news live life world today space website
cloud design agency media digital studio email solutions company group network services systems
social art photo photography video music games game fun love wiki link click help support academy
school education university paris bzh alsace corsica quebec swiss brussels vlaanderen gent eus berlin
london nyc tokyo amsterdam bio eco green earth fashion style beauty health care family kids events
community foundation charity ngo ong press report radio film movie tv show run fit golf football
bike auto car cars taxi voyage holiday tours restaurant cafe bar pizza wine beer coffee bank money
finance capital fund insure legal law consulting expert management marketing partners ventures
global international city town zone one plus best cool fyi gg ly me wtf lol moe xn--p1ai
"""

TLDS: frozenset[str] = frozenset(_CCTLDS.split()) | frozenset(_GTLDS.split())
CCTLDS: frozenset[str] = frozenset(_CCTLDS.split())
