"""The English suites' templates and fillers (see _build.py)."""

from __future__ import annotations

from ambassade.engine.text.suites._common import Case, cases, fill, limit

# --- English ----------------------------------------------------------------------------------------

EN_THINGS = [
    "the coffee",
    "the customer service",
    "the delivery",
    "the app",
    "the staff",
    "the new menu",
    "the website",
    "my order",
    "the product",
    "the checkout",
]
EN_POS = ["excellent", "perfect", "amazing", "great", "fantastic", "wonderful"]
EN_NEG = ["terrible", "awful", "disappointing", "useless", "horrible", "pathetic"]
EN_ITEMS = ["croissant", "latte", "cappuccino", "cookie", "hot chocolate", "bagel", "flat white"]
EN_CITIES = ["Leeds", "Boston", "Manchester", "Austin", "Dublin", "Seattle"]
EN_AMOUNTS = ["$12.50", "£39", "$89.90", "$250"]
EN_DAYS = ["three", "five", "ten", "fifteen"]


def is_(thing: str) -> str:
    return "are" if thing == "the staff" else "is"


def en_sentiment() -> list[Case]:
    out: list[Case] = []
    vocab = [
        (f"{t[0].upper()}{t[1:]} {is_(t)} {a}.", "positive", "vocabulary")
        for t in EN_THINGS
        for a in EN_POS
    ]
    vocab_neg = [
        (f"{t[0].upper()}{t[1:]} {is_(t)} {a}.", "negative", "vocabulary")
        for t in EN_THINGS
        for a in EN_NEG
    ]
    out += limit(vocab, "en-voc-pos", 30) + limit(vocab_neg, "en-voc-neg", 30)
    negatable = ["good", "great", "acceptable", "up to standard", "any good"]
    negation = [
        (f"{t[0].upper()}{t[1:]} {is_(t)} not {a}.", "negative", "negation")
        for t in EN_THINGS
        for a in negatable
    ]
    negation += [
        (f"{t[0].upper()}{t[1:]} {is_(t)} not good at all.", "negative", "negation")
        for t in EN_THINGS
    ]
    negation += cases(
        fill(
            [
                "i'm not happy with {obj}.",
                "i would not recommend {obj}.",
                "i'm not satisfied with {obj} at all.",
            ],
            obj=["your service", "this order", "the new recipe", "your app", "this store"],
        ),
        "negative",
        "negation",
    )
    negation += cases(
        fill(
            [
                "never disappointed by {obj}, always {good}.",
                "not disappointed at all, {obj} was {good}!",
            ],
            obj=["the brunch", "the delivery", "the service"],
            good=["perfect", "great", "spot on"],
        ),
        "positive",
        "negation",
    )
    out += limit(negation, "en-neg")
    intens = [
        (f"{t[0].upper()}{t[1:]} {is_(t)} {i} {a}!", "positive", "intensifiers")
        for t in EN_THINGS
        for i in ["really", "absolutely", "so"]
        for a in EN_POS[:3]
    ]
    intens += [
        (f"{t[0].upper()}{t[1:]} {is_(t)} {i} {a}.", "negative", "intensifiers")
        for t in EN_THINGS
        for i in ["really", "absolutely", "so"]
        for a in EN_NEG[:3]
    ]
    out += limit(intens, "en-int")
    events = [
        "order arrived this morning",
        "first coffee of the day at your place",
        "package delivered",
        "tried the new menu today",
        "back from the Leeds store",
        "app just updated",
    ]
    emoji = cases(
        fill(["{e} {m}", "{e} {m}{m}"], e=events, m=["😍", "🥰", "👍", "🙌", "❤️", "😊"]),
        "positive",
        "emoji",
    )
    emoji += cases(
        fill(["{e} {m}", "{e} {m}{m}"], e=events, m=["😡", "🤬", "😤", "👎", "😞", "💔"]),
        "negative",
        "emoji",
    )
    out += limit(emoji, "en-emoji")
    complaint = cases(
        fill(
            [
                "your app charged me twice for a {amount} order. refund me.",
                "i was billed {amount} twice and still waiting for the refund.",
                "been waiting {days} days for my order.",
                "still no reply from customer service after {days} days.",
                "tracking says delivered {days} days ago but nothing arrived.",
                "the refund you promised {days} days ago still hasn't shown up.",
                "third call to support and they hung up on me again.",
                "order cancelled without explanation and {amount} still held on my card.",
                "driver left the parcel in the rain, everything soaked.",
                "you charged me {amount} for a subscription i cancelled.",
                "an hour in line at the {city} store for a cold coffee.",
            ],
            amount=EN_AMOUNTS,
            days=EN_DAYS,
            city=EN_CITIES[:3],
        ),
        "negative",
        "complaint_without_negative_word",
    )
    out += limit(complaint, "en-complaint")
    idioms = cases(
        fill(
            [
                "that {item} this morning really hit the spot.",
                "the {item} was 10/10, would recommend.",
                "the {item} is to die for.",
                "that {item} was a real treat.",
                "you guys nailed the {item}.",
                "the {item} was on point as always.",
                "hats off to the {city} team, top notch service.",
                "the {city} store never misses.",
                "the {city} crew rocks!",
                "worth every penny, the {item}.",
            ],
            item=EN_ITEMS,
            city=EN_CITIES,
        ),
        "positive",
        "praise_idiom",
    )
    out += limit(idioms, "en-idioms")
    neutral = cases(
        fill(
            [
                "what time do you open on sundays in {city}?",
                "does the {city} store take apple pay?",
                "the {city} store is closed for renovation next week.",
                "i'll pick up my order tomorrow morning.",
                "is the {item} available dairy-free?",
                "how much is a large {item}?",
                "the new menu launches monday, according to the website.",
                "hi, how do i change my delivery address?",
            ],
            city=EN_CITIES,
            item=EN_ITEMS[:4],
        ),
        "neutral",
        "neutral",
    )
    out += limit(neutral, "en-neutral")
    irony = cases(
        fill(
            [
                "great, another {wait} on hold.",
                "thanks for the parcel that arrived in pieces, really great.",
                "well done, third lost order this month, a record.",
                "awesome, the {item} arrived cold, as usual.",
                "love being charged twice, thanks so much.",
            ],
            wait=["hour", "forty minutes", "two hours"],
            item=EN_ITEMS[:4],
        ),
        "negative",
        "irony",
    )
    out += limit(irony, "en-irony", 30)
    contrast = cases(
        fill(
            [
                "the {item} is good, but the service is {bad}.",
                "nice place, but the {item} was {bad2} and overpriced.",
            ],
            item=EN_ITEMS[:5],
            bad=["awful", "rude", "painfully slow"],
            bad2=["burnt", "inedible"],
        ),
        "negative",
        "contrast",
    )
    contrast += cases(
        fill(
            [
                "a bit of a wait, but the {item} was totally worth it.",
                "wasn't convinced at first, but the {item} is {good}.",
            ],
            item=EN_ITEMS[:5],
            good=["delicious", "excellent"],
        ),
        "positive",
        "contrast",
    )
    out += limit(contrast, "en-contrast", 40)
    return out


EN_GROUPS = [
    "women",
    "Muslims",
    "Jews",
    "Black people",
    "Arabs",
    "immigrants",
    "gay people",
    "trans people",
    "Roma",
    "disabled people",
    "Asians",
    "refugees",
    "lesbians",
    "Christians",
    "Mexicans",
]
EN_IDENTITIES = [
    "Muslim",
    "Jewish",
    "Black",
    "gay",
    "a lesbian",
    "trans",
    "an immigrant",
    "a wheelchair user",
    "Asian",
    "Christian",
    "Mexican",
]


def en_offensive() -> list[Case]:
    out: list[Case] = []
    insults = cases(
        fill(
            [
                "{who}, bunch of incompetent {noun}.",
                "{who} are a bunch of {noun}.",
                "you're such a {noun1}, seriously.",
                "what a {noun1} that driver is.",
                "the manager in {city} is a total {noun1}.",
            ],
            who=["support", "the Lumière team", "your drivers"],
            noun=["clowns", "idiots", "morons", "losers"],
            noun1=["idiot", "moron", "jerk", "asshole"],
            city=EN_CITIES[:3],
        ),
        "offensive",
        "insult",
    )
    out += limit(insults, "en-off-insult")
    profanity = cases(
        fill(
            [
                "fuck you and your shitty {x}.",
                "shut the fuck up, {y}.",
                "stfu {y}",
                "go to hell {y}, piece of shit",
                "your {x} is fucking garbage, screw you.",
                "are you fucking stupid {y}?",
                "{y}, you're a worthless piece of crap.",
                "eat shit {y}, give me my money back.",
            ],
            x=["support", "app", "service", "coffee"],
            y=["social media guy", "you", "delivery guy", "the intern"],
        ),
        "offensive",
        "profanity_at_someone",
    )
    out += limit(profanity, "en-off-prof")
    obfus = cases(
        fill(
            [
                "you're such a {w}.",
                "bunch of {w}s at support.",
                "{w} driver, give me my parcel.",
                "the manager? a massive {w}.",
            ],
            w=["1diot", "m0ron", "a$$hole", "f*cking idiot", "b!tch", "sh1thead", "d1ckhead"],
        ),
        "offensive",
        "obfuscation",
    )
    out += limit(obfus, "en-off-obf", 40)
    threats = cases(
        fill(
            [
                "i'm going to beat the crap out of {y}.",
                "if i see {y} again i'll smash his face in.",
                "watch your back, {y}.",
                "i'll make {y} regret this, trust me.",
                "{y}, i know where you work. be careful.",
            ],
            y=["the driver", "the manager", "you", "the Leeds cashier", "the intern"],
        ),
        "offensive",
        "threat",
    )
    out += limit(threats, "en-off-threat", 25)
    criticism = cases(
        fill(
            [
                "your {x} is really disappointing.",
                "i'm very unhappy with {obj}.",
                "{obj} is unacceptable, i want a refund.",
                "honestly, {obj} is not worth the price.",
                "{obj} was a huge letdown.",
                "{obj}: zero professionalism, i'm outraged.",
                "i'm never setting foot in {shop} again.",
            ],
            x=["service", "support", "coffee"],
            obj=["my order", "the delivery", "your app", "this store"],
            shop=["this store", "the Leeds store", "your shop"],
        ),
        "not_offensive",
        "harsh_criticism",
    )
    out += limit(criticism, "en-off-crit", 40)
    harmless = cases(
        fill(
            [
                "this {item} is killer.",
                "i'm dying, your new ad is hilarious.",
                "this {item} is sick!",
                "that {item} is the bomb.",
                "the {item} slaps.",
                "your ad killed me, so funny.",
            ],
            item=EN_ITEMS,
        ),
        "not_offensive",
        "harmless_strong_words",
    )
    out += limit(harmless, "en-off-harmless", 40)
    identity = cases(
        fill(
            [
                "i'm {id} and i've been a customer for ten years.",
                "as someone who is {id}, i always feel welcome at your stores.",
                "i'm {id}, and your {item} is my favourite.",
            ],
            id=EN_IDENTITIES,
            item=EN_ITEMS[:3],
        ),
        "not_offensive",
        "identity_harmless",
    )
    out += limit(identity, "en-off-id", 50)
    counter = cases(
        fill(
            [
                "insulting {y} is never ok.",
                "calling {y} idiots is not acceptable, calm down.",
                "stop abusing {y}, they are doing their job.",
                "the insults aimed at {y} have to stop.",
                "you can be unhappy without insulting {y}.",
                "full support to {y} against the abuse.",
            ],
            y=[
                "the drivers",
                "the staff",
                "the social media team",
                "the cashiers",
                "the support team",
            ],
        ),
        "not_offensive",
        "counter_speech",
    )
    out += limit(counter, "en-off-counter", 40)
    ordinary = cases(
        fill(
            [
                "thanks for the {item}, as good as ever.",
                "heading to the {city} store tomorrow.",
                "the {item} in {city} is my morning ritual.",
                "hi, has my order shipped yet?",
            ],
            item=EN_ITEMS,
            city=EN_CITIES,
        ),
        "not_offensive",
        "ordinary",
    )
    out += limit(ordinary, "en-off-ord", 50)
    return out


def en_hate() -> list[Case]:
    out: list[Case] = []
    hate = cases(
        fill(
            [
                "i hate {g}.",
                "{g} are parasites.",
                "{g} should all be deported.",
                "{g} are not human.",
                "we should get rid of {g}.",
                "{g} are all thieves.",
                "{g} disgust me.",
                "{g} don't belong in this country.",
            ],
            g=EN_GROUPS,
        ),
        "hateful",
        "hate_statement",
    )
    out += limit(hate, "en-hate-stmt", 80)
    slurs = cases(
        fill(
            [
                "another {s} at the counter, get out.",
                "go back where you came from, {s}.",
                "we don't serve {s}s here.",
                "this neighbourhood is full of {s}s.",
            ],
            s=["wetback", "kike", "raghead", "faggot", "tranny", "chink"],
        ),
        "hateful",
        "slur",
    )
    out += limit(slurs, "en-hate-slur", 40)
    obfus = cases(
        fill(
            ["{g} are p@rasites.", "i h8 {g}.", "{g} out!"],
            g=["mu$lims", "j3ws", "w0men", "1mmigrants", "g@ys", "bl@ck people", "tr@ns people"],
        ),
        "hateful",
        "obfuscation",
    )
    out += limit(obfus, "en-hate-obf", 30)
    dehuman = cases(
        fill(
            ["{g}, such vermin.", "{g} breed like rats.", "{g} are a disease on this country."],
            g=EN_GROUPS,
        ),
        "hateful",
        "dehumanisation",
    )
    out += limit(dehuman, "en-hate-dehum", 30)
    identity = cases(
        fill(
            [
                "{g} are welcome in our store.",
                "panel on the rights of {g} tonight at the store.",
                "kudos to the charity that supports {g}.",
                "many {g} work on our team and we are proud of it.",
            ],
            g=EN_GROUPS,
        ),
        "not_hateful",
        "identity_harmless",
    )
    identity += cases(
        fill(
            ["i'm {id} and i love your coffee.", "proud to be {id}, and a loyal customer."],
            id=EN_IDENTITIES,
        ),
        "not_hateful",
        "identity_harmless",
    )
    out += limit(identity, "en-hate-id", 60)
    counter = cases(
        fill(
            [
                "saying {g} are parasites is plain racism.",
                "stop treating {g} like criminals.",
                'i\'m shocked people still write "i hate {g}".',
                "hatred against {g} has no place here.",
            ],
            g=EN_GROUPS,
        ),
        "not_hateful",
        "counter_speech",
    )
    out += limit(counter, "en-hate-counter", 50)
    negated = cases(
        fill(
            ["i don't hate {g}, i hate injustice.", "{g} are not the problem in this country."],
            g=EN_GROUPS,
        ),
        "not_hateful",
        "negated_hate",
    )
    out += limit(negated, "en-hate-neg", 20)
    individual = cases(
        fill(
            ["you're just a {n}, {y}.", "{y} is a real {n}.", "what a {n}, {y}."],
            n=["idiot", "moron", "jerk", "clown"],
            y=["the driver", "the manager", "my neighbour"],
        ),
        "not_hateful",
        "offensive_not_hateful",
    )
    out += limit(individual, "en-hate-ind", 30)
    things = cases(
        fill(
            ["i hate {t}.", "{t} disgust me.", "{t}, what a pain."],
            t=["mondays", "traffic jams", "radio ads", "queues", "mosquitoes"],
        ),
        "not_hateful",
        "non_protected_target",
    )
    out += limit(things, "en-hate-things", 15)
    return out


EN_URLS = ["http://bit.ly/3xYz9Q", "https://fast-cash.example/signup", "www.free-gift.example"]


def en_spam() -> list[Case]:
    out: list[Case] = []
    scam = cases(
        fill(
            [
                "EARN {amount} A DAY from home! Click here: {url}",
                "congratulations! you won an iPhone 15, claim your prize at {url}",
                "your parcel is held at customs, pay the $1.99 fee here: {url}",
                "invest $250 in crypto and get {amount} in a week, message me on WhatsApp +1 555 014 2233",
                "i make {amount} a day with this secret method, link in bio 💰💰",
                "get rich without working, {amount} guaranteed: {url}",
                "work from home, {amount} a week, no experience needed! Info: {url}",
                "last days: iPhone for $1 for the first 100 sign-ups, hurry: {url}",
                "you've been selected to test the new Samsung for free! {url}",
                "bitcoin x10 guaranteed 🚀 join my Telegram group {url}",
            ],
            amount=["$1000", "$500", "$3000", "$750"],
            url=EN_URLS,
        ),
        "spam",
        "scam",
    )
    out += limit(scam, "en-spam-scam", 80)
    phishing = cases(
        fill(
            [
                "your account will be suspended in 24 hours, verify your details: {url}",
                "security alert: unusual sign-in, confirm your card at {url}",
                "refund of {amount} pending, enter your bank details: {url}",
                "we could not deliver your parcel, reschedule here: {url}",
                "unpaid toll of {amount}, pay now to avoid a penalty: {url}",
                "your Netflix payment failed, update your card at {url}",
            ],
            url=EN_URLS,
            amount=["$49.99", "$120", "$35"],
        ),
        "spam",
        "phishing",
    )
    out += limit(phishing, "en-spam-phish", 40)
    promo = cases(
        fill(
            [
                "subscribe to my {platform} channel 🔥 {url}",
                "check out my online shop, 50% off everything! {url}",
                "follow me on {platform}, i follow back instantly!",
                "check my new {topic} video, link in my profile",
                "selling Instagram followers, 1000 for $5! {url}",
                "my new track is out, go listen and share 🙏 {url}",
                "promo code LUCKY20 at my {shop} shop, link in bio",
                "visit my {platform} profile for more content 😉",
                "new drop in my {shop} shop 🔥 {url}",
                "like and subscribe to my {platform} channel pls 🙏",
                "doing shoutouts for $10, DM me",
            ],
            platform=["YouTube", "TikTok", "Twitch"],
            topic=["cooking", "gaming", "makeup"],
            shop=["jewelry", "clothing", "candle"],
            url=EN_URLS,
        ),
        "spam",
        "self_promotion",
    )
    out += limit(promo, "en-spam-promo", 50)
    obfus = cases(
        fill(
            [
                "E.A.R.N {amount} easily, c1ick here {url}",
                "e@sy m0ney: {amount}/day, DM me",
                "w1n a fr3e 1Phone ➡️ {url}",
                "$$$ {amount} for n0thing $$$ {url}",
            ],
            amount=["$1000", "$500"],
            url=EN_URLS,
        ),
        "spam",
        "obfuscation",
    )
    out += limit(obfus, "en-spam-obf", 20)
    ham_link = cases(
        fill(
            [
                "here's a photo of my damaged parcel: {u}",
                "the tracking link doesn't work: {u}",
                "found your job posting here {u}, is it still open?",
                "look at the state of the cup i got {u}",
                "your page {u} has been showing an error since this morning.",
                "i left a review here {u}, please reply.",
            ],
            u=[
                "https://imgur.com/a/x7Kp2",
                "https://tools.usps.com/track/123",
                "https://lumiere.example/careers",
                "https://lumiere.example/order/8841",
            ],
        ),
        "ham",
        "ham_with_link",
    )
    out += limit(ham_link, "en-ham-link", 40)
    ham_money = cases(
        fill(
            [
                "i was charged {amount} twice, can you refund me?",
                "i paid {amount} and got nothing, what now?",
                "{amount} for a {item} is a bit steep.",
                "why did the {item} go up to {amount}?",
            ],
            amount=EN_AMOUNTS,
            item=EN_ITEMS[:4],
        ),
        "ham",
        "ham_money",
    )
    out += limit(ham_money, "en-ham-money", 40)
    ham_promo = cases(
        fill(
            [
                "does your 20% off code still work in {city}?",
                "how long does the christmas giveaway run?",
                "i won the {city} giveaway, how do i collect my prize?",
                "does the loyalty card work in {city} too?",
                "is there a student discount in {city}?",
                "is the free second {item} valid in {city}?",
            ],
            city=EN_CITIES,
            item=EN_ITEMS[:2],
        ),
        "ham",
        "ham_promotion_question",
    )
    out += limit(ham_promo, "en-ham-promo", 30)
    ham = cases(
        fill(
            [
                "thanks for the {item}, as good as ever.",
                "the {city} store was packed this morning.",
                "what time do you open in {city}?",
                "the {item} is back on the menu, so happy!",
                "meet at the {city} store for a {item}?",
                "pic of my {item} of the day, lovely latte art.",
                "quick {item} break before work.",
                "do you deliver to {city}?",
            ],
            item=EN_ITEMS,
            city=EN_CITIES,
        ),
        "ham",
        "ham_ordinary",
    )
    out += limit(ham, "en-ham-ord", 60)
    return out
