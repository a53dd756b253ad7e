'use strict';
// Adding a project cost code: the sub job and standard cost code pickers ask the server for the chosen
// project's own sub jobs and active codes (the admin's autocomplete sends no other field by itself).
(function($) {
    function chosenProject() {
        const select = document.getElementById('id_project');
        return select ? select.value : '';
    }

    $.ajaxPrefilter(function(options) {
        if (!options.url || options.url.indexOf('/autocomplete/') === -1 || typeof options.data !== 'string') {
            return;
        }
        const params = new URLSearchParams(options.data);
        const field = params.get('field_name');
        if (params.get('model_name') === 'projectcostcode' && (field === 'sub_job' || field === 'standard_cost_code')) {
            params.set('project', chosenProject());
            options.data = params.toString();
        }
    });

    $(function() {
        // Another project: the sub job and code chosen for the first one no longer apply.
        $('#id_project').on('change', function() {
            $('#id_sub_job, #id_standard_cost_code').val(null).trigger('change');
        });
    });
})(django.jQuery);
