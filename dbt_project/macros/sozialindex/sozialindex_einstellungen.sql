{#-
    Configuration of the Sozialindex (dbt var `sozialindex`, see dbt_project.yml), read and checked in
    one place so that a typo in the configuration fails the compilation with a clear message instead of
    silently producing an index with a missing class or a flag that never fires.

    Keys:
      status_indikatoren  ids from the catalogue (seed `indikatoren`) that form the composite index
      kontext_indikatoren ids that are z-standardised beside the index (same areas) but not summed
      dynamik_quartale    the dynamics compare each indicator with its value this many quarters earlier
      mindest_einwohner   areas with fewer inhabitants are not indexed
      status_klassen / dynamik_klassen
                          ascending list of {klasse, unter | bis}: the first class whose bound the index
                          stays below (`unter`: index < x) or does not exceed (`bis`: index <= x) wins;
                          the last class has no bound and takes the rest
      handlungsbedarf     list of {status, dynamik} class pairs ("*" = any class); a Wohnplatz needs
                          action when any pair matches
-#}
{% macro sozialindex_einstellungen() %}
    {%- set einstellungen = var('sozialindex', none) -%}
    {%- if einstellungen is none -%}
        {{ exceptions.raise_compiler_error("dbt var `sozialindex` is missing (see dbt_project.yml)") }}
    {%- endif -%}
    {%- for schluessel in ['status_indikatoren', 'dynamik_quartale', 'mindest_einwohner',
                           'status_klassen', 'dynamik_klassen', 'handlungsbedarf'] -%}
        {%- if einstellungen.get(schluessel) is none -%}
            {{ exceptions.raise_compiler_error("dbt var `sozialindex` lacks the key `" ~ schluessel ~ "`") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if einstellungen['status_indikatoren'] | length == 0 -%}
        {{ exceptions.raise_compiler_error("sozialindex.status_indikatoren must name at least one indicator") }}
    {%- endif -%}
    {%- set status_ids = einstellungen['status_indikatoren'] -%}
    {%- for indikator in einstellungen.get('kontext_indikatoren') or [] -%}
        {%- if indikator in status_ids -%}
            {{ exceptions.raise_compiler_error("sozialindex: `" ~ indikator ~ "` is both a status and a context indicator") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if (einstellungen['dynamik_quartale'] | int) < 1 -%}
        {{ exceptions.raise_compiler_error("sozialindex.dynamik_quartale must be a positive number of quarters") }}
    {%- endif -%}
    {%- do sozialindex_klassen_pruefen(einstellungen['status_klassen'], 'status_klassen') -%}
    {%- do sozialindex_klassen_pruefen(einstellungen['dynamik_klassen'], 'dynamik_klassen') -%}
    {%- do sozialindex_regeln_pruefen(einstellungen['handlungsbedarf'], einstellungen['status_klassen'],
                                      einstellungen['dynamik_klassen']) -%}
    {{ return(einstellungen) }}
{% endmacro %}


{#- Status and context indicators with their role, in configuration order. -#}
{% macro sozialindex_indikatoren(einstellungen=none) %}
    {%- set e = einstellungen or sozialindex_einstellungen() -%}
    {%- set liste = [] -%}
    {%- for indikator in e['status_indikatoren'] -%}
        {%- do liste.append({'indikator_id': indikator, 'rolle': 'status'}) -%}
    {%- endfor -%}
    {%- for indikator in e.get('kontext_indikatoren') or [] -%}
        {%- do liste.append({'indikator_id': indikator, 'rolle': 'kontext'}) -%}
    {%- endfor -%}
    {{ return(liste) }}
{% endmacro %}


{% macro sozialindex_klassen_pruefen(klassen, name) %}
    {%- if klassen | length < 2 -%}
        {{ exceptions.raise_compiler_error("sozialindex." ~ name ~ " needs at least two classes") }}
    {%- endif -%}
    {%- set vorige = namespace(grenze=none) -%}
    {%- for klasse in klassen -%}
        {%- if not klasse.get('klasse') -%}
            {{ exceptions.raise_compiler_error("sozialindex." ~ name ~ ": every entry needs `klasse`") }}
        {%- endif -%}
        {%- set grenze = klasse.get('unter') if klasse.get('unter') is not none else klasse.get('bis') -%}
        {%- if klasse.get('unter') is not none and klasse.get('bis') is not none -%}
            {{ exceptions.raise_compiler_error("sozialindex." ~ name ~ ": class `" ~ klasse['klasse'] ~ "` has both `unter` and `bis`") }}
        {%- endif -%}
        {%- if loop.last and grenze is not none -%}
            {{ exceptions.raise_compiler_error("sozialindex." ~ name ~ ": the last class must be open (no `unter`/`bis`)") }}
        {%- endif -%}
        {%- if not loop.last and grenze is none -%}
            {{ exceptions.raise_compiler_error("sozialindex." ~ name ~ ": only the last class may be open, `" ~ klasse['klasse'] ~ "` has no bound") }}
        {%- endif -%}
        {%- if grenze is not none and vorige.grenze is not none and grenze <= vorige.grenze -%}
            {{ exceptions.raise_compiler_error("sozialindex." ~ name ~ ": bounds must ascend (" ~ vorige.grenze ~ " then " ~ grenze ~ ")") }}
        {%- endif -%}
        {%- if grenze is not none -%}{%- set vorige.grenze = grenze -%}{%- endif -%}
    {%- endfor -%}
{% endmacro %}


{% macro sozialindex_regeln_pruefen(regeln, status_klassen, dynamik_klassen) %}
    {%- set status_namen = status_klassen | map(attribute='klasse') | list -%}
    {%- set dynamik_namen = dynamik_klassen | map(attribute='klasse') | list -%}
    {%- for regel in regeln -%}
        {%- if regel.get('status') is none or regel.get('dynamik') is none -%}
            {{ exceptions.raise_compiler_error("sozialindex.handlungsbedarf: every rule needs `status` and `dynamik` (use \"*\" for any)") }}
        {%- endif -%}
        {%- if regel['status'] != '*' and regel['status'] not in status_namen -%}
            {{ exceptions.raise_compiler_error("sozialindex.handlungsbedarf: unknown status class `" ~ regel['status'] ~ "`") }}
        {%- endif -%}
        {%- if regel['dynamik'] != '*' and regel['dynamik'] not in dynamik_namen -%}
            {{ exceptions.raise_compiler_error("sozialindex.handlungsbedarf: unknown dynamics class `" ~ regel['dynamik'] ~ "`") }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
