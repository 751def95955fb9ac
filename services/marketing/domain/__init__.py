"""Marketing domain: the content creator's copy and the advertiser's Facebook campaigns.

Glossary:
    brief       the content creator's to-do for one product, opened when finance sets
                a price; it collects the copy assets until they are approved
    asset       one piece of copy (ad copy or landing-page copy), versioned
    checklist   what must be true before a product's first campaign may spend money
    test phase  a campaign's first days: small budgets, several ad sets, find a winner
    scale       raising a winning ad set's daily budget by a configured step
    CPL / CPA   cost per lead / per acquisition (purchase)
    ROAS        revenue on ad spend: revenue / spend
"""
